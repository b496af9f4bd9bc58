package org.vfiosim.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.delivery.WorkPullingProducerController;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.vfiosim.config.UserError;
import org.vfiosim.sweep.SweepExecutor;
import org.vfiosim.sweep.SweepPoint;
import org.vfiosim.sweep.SweepRow;

/**
 * The coordinator of a sweep across the cluster. It registers with the receptionist under
 * {@link #KEY}; a node that finds it says hello with its {@link Fingerprint} and is welcomed
 * (given the scenario) or rejected. Points go out through Akka's work pulling: the
 * {@code WorkPullingProducerController} asks for the next point whenever a node's
 * {@code ConsumerController} has room, and hands the points a node had not confirmed to another
 * node when that node leaves the receptionist (it left, or was downed after being unreachable).
 * A node sends back each point's row and output files, the coordinator writes them into
 * {@code pointsDir/<point>/} and acknowledges; the node confirms the job only then, so a node
 * dying between the run and the acknowledgement costs a second run of the point, never the point.
 * The first result of a point wins (results are deterministic, a second one is the same).
 */
public final class SweepCoordinator extends AbstractBehavior<SweepCoordinator.Command> {

  /** Where nodes find coordinators. */
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "vfiosim-sweep-coordinator");

  /** Protocol. */
  public sealed interface Command {}

  /** A node offers to run points. */
  public record Hello(ActorRef<NodeWorker.Command> node, String address, Fingerprint fingerprint, int threads)
      implements Command, ClusterMessage {}

  /** A node started running a point. */
  public record Started(String sweepId, int index, String address) implements Command, ClusterMessage {}

  /** One output file of a point, gzip-compressed. */
  public record OutputFile(String name, byte[] gzip) {}

  /**
   * A point's result: its row and output files, or {@code error} (one line) when the node could
   * not run it at all; {@code internal} when that is vfiosim's fault rather than the input's.
   */
  public record PointDone(ActorRef<NodeWorker.Command> node, String address, String sweepId, int index, SweepRow row,
      List<OutputFile> files, String error, boolean internal) implements Command, ClusterMessage {}

  private record NextWanted(WorkPullingProducerController.RequestNext<PointJob> next) implements Command {}

  private record NodeGone(ActorRef<NodeWorker.Command> node) implements Command {}

  private enum NoNodes implements Command { INSTANCE }

  /** What the coordinator needs to know about the sweep. */
  public record Sweep(String id, String scenarioName, String scenarioText, List<SweepPoint> points,
      List<String> configDigests, Path pointsDir, Fingerprint fingerprint, Duration noNodeTimeout, String seeds) {}

  private final Sweep sweep;
  private final CompletableFuture<List<SweepRow>> done;
  private final Consumer<String> log;
  private final SweepExecutor.Progress progress;
  private final TimerScheduler<Command> timers;
  private final ActorRef<WorkPullingProducerController.Command<PointJob>> producer;
  private final SweepRow[] rows;
  private final String[] ranOn;
  private final Map<ActorRef<NodeWorker.Command>, String> nodes = new LinkedHashMap<>();
  /** Results received per node address, copies included, in order of first result. */
  private final Map<String, Integer> results = new LinkedHashMap<>();
  private final long t0 = System.nanoTime();
  private int next;
  private int finished;
  private boolean everJoined;
  private WorkPullingProducerController.RequestNext<PointJob> waiting;

  /**
   * @param done completed with the rows in point order when every point is in, or exceptionally
   *     with a {@link UserError} (a node could not run a point; no node for too long)
   * @param log progress lines (stderr)
   * @param progress told of each point as its files are written; may be null
   */
  public static Behavior<Command> create(Sweep sweep, CompletableFuture<List<SweepRow>> done, Consumer<String> log,
      SweepExecutor.Progress progress) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t -> new SweepCoordinator(ctx, t, sweep, done, log, progress)));
  }

  private SweepCoordinator(ActorContext<Command> ctx, TimerScheduler<Command> timers, Sweep sweep,
      CompletableFuture<List<SweepRow>> done, Consumer<String> log, SweepExecutor.Progress progress) {
    super(ctx);
    this.progress = progress;
    this.sweep = sweep;
    this.done = done;
    this.log = log;
    this.timers = timers;
    int n = sweep.points().size();
    this.rows = new SweepRow[n];
    this.ranOn = new String[n];
    ServiceKey<akka.actor.typed.delivery.ConsumerController.Command<PointJob>> workers =
        ServiceKey.create(akka.actor.typed.delivery.ConsumerController.serviceKeyClass(), workerKey(sweep.id()));
    producer = ctx.spawn(WorkPullingProducerController.create(PointJob.class, "vfiosim-sweep-" + sweep.id(), workers,
        Optional.empty()), "points");
    ActorRef<WorkPullingProducerController.RequestNext<PointJob>> adapter =
        ctx.messageAdapter(WorkPullingProducerController.requestNextClass(), NextWanted::new);
    producer.tell(new WorkPullingProducerController.Start<>(adapter));
    ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
    if (n == 0) {
      done.complete(List.of());
    }
    timers.startSingleTimer(NoNodes.INSTANCE, NoNodes.INSTANCE, sweep.noNodeTimeout());
  }

  /** The receptionist key of a sweep's workers' ConsumerControllers. */
  static String workerKey(String sweepId) {
    return "vfiosim-points-" + sweepId;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Hello.class, this::onHello)
        .onMessage(NextWanted.class, this::onNextWanted)
        .onMessage(Started.class, this::onStarted)
        .onMessage(PointDone.class, this::onPointDone)
        .onMessage(NodeGone.class, this::onNodeGone)
        .onMessage(NoNodes.class, m -> onNoNodes())
        .build();
  }

  private Behavior<Command> onHello(Hello h) {
    if (nodes.containsKey(h.node())) {
      return this;
    }
    String why = sweep.fingerprint().mismatch(h.fingerprint());
    if (why != null) {
      h.node().tell(new NodeWorker.Rejected(why));
      status("node " + h.address() + " rejected: " + why);
      return this;
    }
    nodes.put(h.node(), h.address());
    everJoined = true;
    getContext().watchWith(h.node(), new NodeGone(h.node()));
    timers.cancel(NoNodes.INSTANCE);
    h.node().tell(new NodeWorker.Welcome(sweep.id(), getContext().getSelf(), sweep.scenarioName(),
        sweep.scenarioText()));
    status("node " + h.address() + " joined (" + h.threads() + " thread(s))");
    return this;
  }

  private Behavior<Command> onNextWanted(NextWanted w) {
    waiting = w.next();
    handOut();
    return this;
  }

  /** Gives the next point to the work-pulling controller, which sends it to a node with room. */
  private void handOut() {
    if (waiting == null || next >= rows.length) {
      return;
    }
    int i = next++;
    waiting.sendNextTo().tell(new PointJob(sweep.id(), i, sweep.points().get(i), sweep.configDigests().get(i)));
    waiting = null;
  }

  private Behavior<Command> onStarted(Started s) {
    if (s.sweepId().equals(sweep.id()) && s.index() >= 0 && s.index() < rows.length && rows[s.index()] == null) {
      ranOn[s.index()] = s.address();
    }
    return this;
  }

  private Behavior<Command> onPointDone(PointDone d) {
    if (!d.sweepId().equals(sweep.id()) || d.index() < 0 || d.index() >= rows.length) {
      return this;
    }
    int i = d.index();
    SweepPoint p = sweep.points().get(i);
    if (d.error() != null) {
      String what = "node " + d.address() + " cannot run sweep point " + p.name() + ": " + d.error();
      done.completeExceptionally(d.internal() ? new IllegalStateException(what) : new UserError(what));
      return Behaviors.stopped();
    }
    if (rows[i] == null) {
      PointFiles.write(sweep.pointsDir().resolve(p.name()), d.files());
      SweepRow r = d.row();
      rows[i] = new SweepRow(p, r.generation(), r.cpuGhz(), r.exitStatus(), r.status(), r.virtualTimeCycles(),
          r.ops(), r.locks());
      finished++;
      log.accept(String.format(Locale.ROOT, "[vfiosim sweep] %d/%d done, %d in flight, %d node(s): %s exit %d on %s"
          + " (%.1f s)", finished, rows.length, inFlight(), nodes.size(), p.name(), r.exitStatus(), d.address(),
          seconds()));
      if (progress != null) {
        progress.pointDone(finished, rows.length, rows[i]);
      }
    }
    results.merge(d.address(), 1, Integer::sum);
    // Acknowledge every copy: the node confirms the job (and pulls the next) only now.
    d.node().tell(new NodeWorker.Stored(sweep.id(), i));
    if (finished == rows.length) {
      int copies = 0;
      List<String> per = new ArrayList<>();
      for (Map.Entry<String, Integer> e : results.entrySet()) {
        per.add(e.getKey() + " " + e.getValue());
        copies += e.getValue();
      }
      log.accept("[vfiosim sweep] results by node: " + String.join(", ", per) + "; " + (copies - rows.length)
          + " point(s) run twice");
      done.complete(List.of(rows));
      return Behaviors.stopped();
    }
    return this;
  }

  private Behavior<Command> onNodeGone(NodeGone g) {
    String address = nodes.remove(g.node());
    if (address == null) {
      return this;
    }
    List<String> unfinished = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] == null && address.equals(ranOn[i])) {
        unfinished.add(sweep.points().get(i).name());
      }
    }
    status("node " + address + " left" + (unfinished.isEmpty() ? ""
        : "; its unfinished point(s) go to another node: " + String.join(" ", unfinished)));
    if (nodes.isEmpty() && finished < rows.length) {
      timers.startSingleTimer(NoNodes.INSTANCE, NoNodes.INSTANCE, sweep.noNodeTimeout());
    }
    return this;
  }

  private Behavior<Command> onNoNodes() {
    if (!nodes.isEmpty() || finished == rows.length) {
      return this;
    }
    done.completeExceptionally(new UserError((everJoined ? "every vfiosim node left and none joined again"
        : "no vfiosim node joined") + " within " + sweep.noNodeTimeout().toSeconds() + " s; " + (rows.length - finished)
        + " of " + rows.length + " point(s) not run (start one: bin/vfiosim node --port PORT --seed-node "
        + sweep.seeds() + ")"));
    return Behaviors.stopped();
  }

  /** Points handed out (in order, 0 .. next-1) and not yet in. */
  private int inFlight() {
    return next - finished;
  }


  private void status(String what) {
    log.accept(String.format(Locale.ROOT, "[vfiosim sweep] %s; %d/%d done, %d in flight, %d node(s) (%.1f s)", what,
        finished, rows.length, inFlight(), nodes.size(), seconds()));
  }

  /** Wall-clock seconds since the start, for display only; never reaches an output file. */
  private double seconds() {
    return (System.nanoTime() - t0) / 1e9;
  }
}
