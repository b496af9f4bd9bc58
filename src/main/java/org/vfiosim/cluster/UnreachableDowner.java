package org.vfiosim.cluster;

import akka.actor.Address;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.Subscribe;
import java.time.Duration;
import java.util.Locale;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Downs a member that stays unreachable for {@code vfiosim-cluster.down-unreachable-after}, on every
 * member of a vfiosim cluster: Akka starts it through {@link Provider}, the
 * {@code akka.cluster.downing-provider-class} of {@code conf/cluster.conf}.
 * Downing removes it, the receptionist drops its workers, and the coordinator's work pulling
 * hands the points it had not confirmed to another node.
 *
 * <p>Why not Akka's split brain resolver: its strategies keep one side of a partition and stop the
 * other, which suits a cluster whose members share state. A sweep's members share none: points are
 * deterministic, so when a partition leaves each side downing the other, the coordinator's side
 * goes on (at worst running a point twice) and the other side's nodes only lose a coordinator.
 * Every strategy, on the other hand, downs the coordinator in some common case (keep-majority and
 * keep-oldest with one coordinator and one node whose JVM died; static-quorum and role-based ones
 * with no coordinator between sweeps).
 */
public final class UnreachableDowner extends AbstractBehavior<UnreachableDowner.Command> {

  /** Protocol. */
  public sealed interface Command {}

  private record Reachability(ClusterEvent.ReachabilityEvent event) implements Command {}

  private record Removed(ClusterEvent.MemberRemoved event) implements Command {}

  private record StillUnreachable(Address address) implements Command {}

  /** The downing provider Akka's cluster loads by class name; it starts a downer per member. */
  public static final class Provider extends akka.cluster.DowningProvider {
    private final Duration after;

    public Provider(akka.actor.ActorSystem system) {
      this.after = system.settings().config().getDuration("vfiosim-cluster.down-unreachable-after");
    }

    @Override
    public FiniteDuration downRemovalMargin() {
      return FiniteDuration.Zero();
    }

    @Override
    public Option<akka.actor.Props> downingActorProps() {
      return Option.apply(akka.actor.typed.javadsl.Adapter.props(() -> create(after)));
    }
  }

  private final Duration after;
  private final TimerScheduler<Command> timers;
  private final Cluster cluster;

  public static Behavior<Command> create(Duration after) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t -> new UnreachableDowner(ctx, t, after)));
  }

  private UnreachableDowner(ActorContext<Command> ctx, TimerScheduler<Command> timers, Duration after) {
    super(ctx);
    this.after = after;
    this.timers = timers;
    this.cluster = Cluster.get(ctx.getSystem());
    cluster.subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new), ClusterEvent.ReachabilityEvent.class));
    cluster.subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.MemberRemoved.class, Removed::new), ClusterEvent.MemberRemoved.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Reachability.class, this::onReachability)
        .onMessage(Removed.class, r -> {
          timers.cancel(r.event().member().address());
          return this;
        })
        .onMessage(StillUnreachable.class, this::onStillUnreachable)
        .build();
  }

  private Behavior<Command> onReachability(Reachability r) {
    Address a = r.event().member().address();
    if (r.event() instanceof ClusterEvent.UnreachableMember) {
      timers.startSingleTimer(a, new StillUnreachable(a), after);
    } else {
      timers.cancel(a);
    }
    return this;
  }

  private Behavior<Command> onStillUnreachable(StillUnreachable s) {
    var state = cluster.state();
    boolean unreachable = state.getUnreachable().stream()
        .anyMatch(m -> m.address().equals(s.address()) && m.status() != MemberStatus.down());
    if (unreachable) {
      getContext().getLog().info(String.format(Locale.ROOT, "%s unreachable for %.1f s: downed",
          ClusterSystems.hostPort(s.address()), after.toMillis() / 1000.0));
      cluster.manager().tell(new Down(s.address()));
    }
    return this;
  }
}
