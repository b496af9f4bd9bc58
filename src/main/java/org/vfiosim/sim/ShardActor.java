package org.vfiosim.sim;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.util.List;

/**
 * Akka Typed actor that owns one {@link Shard} and runs it one window at a time: deliver the
 * messages other shards sent, run every event before the window end, report back.
 */
public final class ShardActor extends AbstractBehavior<ShardActor.Command> {

  /** Protocol. */
  public sealed interface Command {}

  /** Runs the shard up to (excluding) {@code end} after delivering {@code inbound}. */
  public record RunWindow(long end, List<CrossMessage> inbound, ActorRef<TimeKeeper.Command> replyTo)
      implements Command {}

  private final Shard shard;

  public static Behavior<Command> create(Shard shard) {
    return Behaviors.setup(ctx -> new ShardActor(ctx, shard));
  }

  private ShardActor(ActorContext<Command> ctx, Shard shard) {
    super(ctx);
    this.shard = shard;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder().onMessage(RunWindow.class, this::onRunWindow).build();
  }

  private Behavior<Command> onRunWindow(RunWindow w) {
    TimeKeeper.WindowDone d;
    try {
      d = runWindow(shard, w.end(), w.inbound());
    } catch (RuntimeException | Error e) {
      // Tell the time keeper what broke, then let supervision stop this actor.
      w.replyTo().tell(new TimeKeeper.ShardFailed(shard.index, e));
      throw e;
    }
    w.replyTo().tell(d);
    return this;
  }

  /** Runs one window of {@code shard} on the calling thread (the shard must be idle). */
  static TimeKeeper.WindowDone runWindow(Shard shard, long end, List<CrossMessage> inbound) {
    runWindowOnly(shard, end, inbound);
    return new TimeKeeper.WindowDone(shard.index, shard.nextEventTime(), shard.callEot(), shard.replyEot(),
        shard.drainOutbox(), shard.events());
  }

  /** Runs one window of {@code shard} without building its report (the caller reads the shard). */
  static void runWindowOnly(Shard shard, long end, List<CrossMessage> inbound) {
    shard.deliver(inbound);
    shard.runUntil(end);
  }
}
