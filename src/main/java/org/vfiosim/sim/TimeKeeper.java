package org.vfiosim.sim;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Akka Typed actor that advances virtual time for all shards, one window at a time
 * (conservative synchronisation): a window {@code [T, E)} starts at the earliest pending event T
 * and ends before any shard could receive a message it has not seen yet:
 * {@code E = min(earliest output time of any shard, earliest in-flight message) + lookahead}.
 * Shards with work in the window run it in parallel; their cross-shard messages are delivered
 * with the next window. Only window boundaries pass through here, never individual events.
 */
public final class TimeKeeper extends AbstractBehavior<TimeKeeper.Command> {

  /** Protocol. */
  public sealed interface Command {}

  /** A shard finished a window. */
  public record WindowDone(int shard, long nextTime, long eot, List<CrossMessage> outbound, long events)
      implements Command {}

  /** A shard threw while running a window (it is then stopped by supervision). */
  public record ShardFailed(int shard, String error) implements Command {}

  private record ShardTerminated(int shard) implements Command {}

  /** How a run ended. */
  public enum Status { QUIESCENT, TIME_LIMIT, FAILED }

  /**
   * Result handed to whoever started the run. {@code wallNanos} is the host time from the time
   * keeper's start to the end of the run (host figure only; never part of a result).
   */
  public record Outcome(Status status, long virtualTime, long windows, String error, long wallNanos) {}

  /** Called after each window (on the time keeper's thread). */
  public interface Progress {
    void window(long virtualTime, long events);
  }

  private final Shard[] shards;
  private final List<ActorRef<ShardActor.Command>> refs = new ArrayList<>();
  private final long[] nextTime;
  private final long[] eot;
  private final long[] events;
  private final List<List<CrossMessage>> inbound = new ArrayList<>();
  private final long lookahead;
  private final long maxWindow;
  private final long endTime;
  private final Progress progress;
  private final CompletableFuture<Outcome> done;
  private int outstanding;
  private long windows;
  private long reached;
  private boolean finished;
  private final long startNanos = System.nanoTime();

  public static Behavior<Command> create(Model model, long maxWindow, long endTime, Progress progress,
      CompletableFuture<Outcome> done) {
    return Behaviors.setup(ctx -> new TimeKeeper(ctx, model, maxWindow, endTime, progress, done));
  }

  private TimeKeeper(ActorContext<Command> ctx, Model model, long maxWindow, long endTime, Progress progress,
      CompletableFuture<Outcome> done) {
    super(ctx);
    this.shards = model.shards();
    this.lookahead = model.lookahead();
    this.maxWindow = Math.max(1, maxWindow);
    this.endTime = endTime;
    this.progress = progress;
    this.done = done;
    int n = shards.length;
    nextTime = new long[n];
    eot = new long[n];
    events = new long[n];
    for (Shard s : shards) {
      Behavior<ShardActor.Command> b = Behaviors.supervise(ShardActor.create(s)).onFailure(SupervisorStrategy.stop());
      ActorRef<ShardActor.Command> ref = ctx.spawn(b, "shard-" + s.index);
      ctx.watchWith(ref, new ShardTerminated(s.index));
      refs.add(ref);
      nextTime[s.index] = s.nextEventTime();
      eot[s.index] = s.earliestOutputTime();
      inbound.add(new ArrayList<>());
    }
    advance();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WindowDone.class, this::onWindowDone)
        .onMessage(ShardFailed.class, this::onShardFailed)
        .onMessage(ShardTerminated.class, this::onShardTerminated)
        .build();
  }

  private Behavior<Command> onWindowDone(WindowDone d) {
    nextTime[d.shard()] = d.nextTime();
    eot[d.shard()] = d.eot();
    events[d.shard()] = d.events();
    for (CrossMessage m : d.outbound()) {
      inbound.get(m.destShard()).add(m);
    }
    if (--outstanding == 0 && !finished) {
      windows++;
      if (progress != null) {
        long total = 0;
        for (long e : events) {
          total += e;
        }
        progress.window(reached, total);
      }
      advance();
    }
    return this;
  }

  private Behavior<Command> onShardFailed(ShardFailed f) {
    finish(new Outcome(Status.FAILED, reached, windows, "shard-" + f.shard() + ": " + f.error(), 0));
    return this;
  }

  private Behavior<Command> onShardTerminated(ShardTerminated t) {
    finish(new Outcome(Status.FAILED, reached, windows, "shard-" + t.shard() + " stopped", 0));
    return this;
  }

  private void advance() {
    long start = Long.MAX_VALUE;
    long horizon = Long.MAX_VALUE;
    for (int s = 0; s < shards.length; s++) {
      start = Math.min(start, nextTime[s]);
      horizon = Math.min(horizon, eot[s]);
      for (CrossMessage m : inbound.get(s)) {
        start = Math.min(start, m.time());
        horizon = Math.min(horizon, m.time());
      }
    }
    if (start == Long.MAX_VALUE) {
      finish(new Outcome(Status.QUIESCENT, reached, windows, null, 0));
      return;
    }
    if (start >= endTime) {
      finish(new Outcome(Status.TIME_LIMIT, endTime, windows, null, 0));
      return;
    }
    long end = endTime;
    if (shards.length > 1 && horizon != Long.MAX_VALUE) {
      end = Math.min(end, saturatingAdd(horizon, lookahead));
    }
    end = Math.min(end, saturatingAdd(start, maxWindow));
    reached = Math.max(reached, Math.min(end, endTime));
    for (int s = 0; s < shards.length; s++) {
      List<CrossMessage> in = inbound.get(s);
      if (nextTime[s] < end || !in.isEmpty()) {
        inbound.set(s, new ArrayList<>());
        outstanding++;
        refs.get(s).tell(new ShardActor.RunWindow(end, in, getContext().getSelf()));
      }
    }
  }

  private void finish(Outcome o) {
    if (!finished) {
      finished = true;
      done.complete(new Outcome(o.status(), o.virtualTime(), o.windows(), o.error(),
          Math.max(1, System.nanoTime() - startNanos)));
    }
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
