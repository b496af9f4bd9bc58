package org.vfiosim.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.delivery.ConsumerController;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.vfiosim.config.UserError;
import org.vfiosim.run.RunResult;
import org.vfiosim.run.Runner;
import org.vfiosim.sweep.SweepRow;

/**
 * A worker node's actor ({@code vfiosim node}). It watches the receptionist for sweep
 * coordinators, says hello to each with its {@link Fingerprint}, and once welcomed starts a
 * {@code ConsumerController} registered under that sweep's key, through which the coordinator's
 * work pulling hands it points. Points run one at a time, each with {@link Runner} on its own
 * local ActorSystem exactly as {@code vfiosim run} runs it, on a thread of their own (never on
 * the cluster's dispatcher). The result goes back to the coordinator, again every
 * {@code resendInterval} until the coordinator acknowledges it; only then is the job confirmed,
 * which lets the next one come.
 */
public final class NodeWorker extends AbstractBehavior<NodeWorker.Command> {

  /** Protocol. */
  public sealed interface Command {}

  /** The coordinator accepts this node for its sweep and gives it the scenario file's text. */
  public record Welcome(String sweepId, ActorRef<SweepCoordinator.Command> coordinator, String scenarioName,
      String scenarioText) implements Command, ClusterMessage {}

  /** The coordinator refuses this node (one line saying why); the node stops. */
  public record Rejected(String reason) implements Command, ClusterMessage {}

  /** The coordinator has written a point's result. */
  public record Stored(String sweepId, int index) implements Command, ClusterMessage {}

  private record Coordinators(Set<ActorRef<SweepCoordinator.Command>> refs) implements Command {}

  private record Deliver(ConsumerController.Delivery<PointJob> delivery) implements Command {}

  private record Ran(ConsumerController.Delivery<PointJob> delivery, SweepCoordinator.PointDone done, double seconds)
      implements Command {}

  private record Resend(String sweepId, int index) implements Command {}

  private record CoordinatorGone(ActorRef<SweepCoordinator.Command> coordinator) implements Command {}

  /** Largest compressed outputs a point may send (below akka.remote.artery.advanced.maximum-large-frame-size). */
  static final long MAX_OUTPUT_BYTES = 60L << 20;

  /** A sweep this node serves. */
  private record Session(String sweepId, ActorRef<SweepCoordinator.Command> coordinator, Path dir, Path scenarioFile,
      ActorRef<ConsumerController.Command<PointJob>> consumer) {}

  /** A result waiting for the coordinator's acknowledgement. */
  private record Unacked(ConsumerController.Delivery<PointJob> delivery, SweepCoordinator.PointDone done) {}

  private final Path home;
  private final int threads;
  private final String address;
  private final Fingerprint fingerprint;
  private final Duration resendInterval;
  private final Consumer<String> log;
  private final CompletableFuture<Integer> exit;
  private final TimerScheduler<Command> timers;
  private final ActorRef<ConsumerController.Delivery<PointJob>> deliveries;
  private final ExecutorService runner;
  private final Set<ActorRef<SweepCoordinator.Command>> greeted = new HashSet<>();
  private final Map<String, Session> sessions = new HashMap<>();
  private final ArrayDeque<ConsumerController.Delivery<PointJob>> queue = new ArrayDeque<>();
  /** Results the coordinator has not stored yet, by point (also the key of their resend timer). */
  private final Map<Resend, Unacked> unacked = new HashMap<>();
  private ConsumerController.Delivery<PointJob> running;

  /**
   * @param address this node's {@code host:port}, for messages
   * @param log progress lines (stderr)
   * @param exit completed with 2 when a coordinator rejects this node
   */
  public static Behavior<Command> create(Path home, int threads, String address, Fingerprint fingerprint,
      Duration resendInterval, Consumer<String> log, CompletableFuture<Integer> exit) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t ->
        new NodeWorker(ctx, t, home, threads, address, fingerprint, resendInterval, log, exit)));
  }

  private NodeWorker(ActorContext<Command> ctx, TimerScheduler<Command> timers, Path home, int threads,
      String address, Fingerprint fingerprint, Duration resendInterval, Consumer<String> log,
      CompletableFuture<Integer> exit) {
    super(ctx);
    this.home = home;
    this.threads = threads;
    this.address = address;
    this.fingerprint = fingerprint;
    this.resendInterval = resendInterval;
    this.log = log;
    this.exit = exit;
    this.timers = timers;
    this.deliveries = ctx.messageAdapter(ConsumerController.deliveryClass(), Deliver::new);
    this.runner = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "vfiosim-node-runner");
      t.setDaemon(true);
      return t;
    });
    ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class,
        l -> new Coordinators(l.getServiceInstances(SweepCoordinator.KEY)));
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(SweepCoordinator.KEY, listings));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Coordinators.class, this::onCoordinators)
        .onMessage(Welcome.class, this::onWelcome)
        .onMessage(Rejected.class, this::onRejected)
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(Ran.class, this::onRan)
        .onMessage(Stored.class, this::onStored)
        .onMessage(Resend.class, this::onResend)
        .onMessage(CoordinatorGone.class, this::onCoordinatorGone)
        .onSignal(PostStop.class, s -> {
          runner.shutdownNow();
          sessions.values().forEach(NodeWorker::removeDir);
          return this;
        })
        .build();
  }

  private Behavior<Command> onCoordinators(Coordinators c) {
    for (ActorRef<SweepCoordinator.Command> ref : c.refs()) {
      if (greeted.add(ref)) {
        getContext().watchWith(ref, new CoordinatorGone(ref));
        ref.tell(new SweepCoordinator.Hello(getContext().getSelf(), address, fingerprint, threads));
      }
    }
    return this;
  }

  private Behavior<Command> onWelcome(Welcome w) {
    if (sessions.containsKey(w.sweepId()) || !greeted.contains(w.coordinator())) {
      return this;
    }
    Path dir;
    Path scenario;
    try {
      dir = Files.createTempDirectory("vfiosim-node-");
      scenario = dir.resolve(w.scenarioName() + ".conf");
      Files.writeString(scenario, w.scenarioText(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sweep's scenario: " + e.getMessage(), e);
    }
    ServiceKey<ConsumerController.Command<PointJob>> key =
        ServiceKey.create(ConsumerController.serviceKeyClass(), SweepCoordinator.workerKey(w.sweepId()));
    // Flow-control window 3, the smallest that keeps flowing (with 2 the request after the first
    // confirmation asks for nothing new): a node gets its first two points at once, then one
    // more as it confirms each, so after the start it holds only the point it runs.
    ConsumerController.Settings settings = ConsumerController.Settings$.MODULE$.create(getContext().getSystem())
        .withFlowControlWindow(3);
    ActorRef<ConsumerController.Command<PointJob>> consumer =
        getContext().spawn(ConsumerController.create(key, settings), "points-" + w.sweepId());
    consumer.tell(new ConsumerController.Start<>(deliveries));
    sessions.put(w.sweepId(), new Session(w.sweepId(), w.coordinator(), dir, scenario, consumer));
    log.accept("[vfiosim node] " + address + ": serving sweep " + w.sweepId() + " (" + w.scenarioName() + ")");
    return this;
  }

  private Behavior<Command> onRejected(Rejected r) {
    log.accept("vfiosim: node " + address + " rejected by the sweep coordinator: " + r.reason());
    exit.complete(2);
    return Behaviors.stopped();
  }

  private Behavior<Command> onDeliver(Deliver d) {
    queue.add(d.delivery());
    startNext();
    return this;
  }

  /** Starts the next queued point whose sweep is still served, if no point is running. */
  private void startNext() {
    while (running == null && !queue.isEmpty()) {
      ConsumerController.Delivery<PointJob> d = queue.poll();
      PointJob job = d.message();
      Session s = sessions.get(job.sweepId());
      if (s == null) {
        continue;
      }
      running = d;
      s.coordinator().tell(new SweepCoordinator.Started(job.sweepId(), job.index(), address));
      log.accept("[vfiosim node] " + address + ": running " + job.point().name());
      ActorRef<NodeWorker.Command> self = getContext().getSelf();
      Path scratch = s.dir().resolve("point-" + job.index());
      Path scenario = s.scenarioFile();
      CompletableFuture<Ran> f = CompletableFuture.supplyAsync(() -> {
        long t0 = System.nanoTime();
        SweepCoordinator.PointDone done = run(self, job, scenario, scratch);
        return new Ran(d, done, (System.nanoTime() - t0) / 1e9);
      }, runner);
      getContext().pipeToSelf(f, (ran, err) -> ran != null ? ran
          : new Ran(d, failed(self, job, "internal error: " + err, true), 0));
    }
  }

  /** Runs one point (on the runner thread): exactly {@code vfiosim run} with the point's settings and seed. */
  private SweepCoordinator.PointDone run(ActorRef<Command> self, PointJob job, Path scenario, Path scratch) {
    Runner.Prepared prepared;
    try {
      prepared = job.point().prepare(home, scenario);
    } catch (UserError e) {
      return failed(self, job, e.getMessage(), false);
    }
    String digest = Fingerprint.ofRun(prepared.settings());
    if (!digest.equals(job.configDigest())) {
      return failed(self, job, "the point's configuration resolves differently on this node (" + Fingerprint.abbrev(digest)
          + " here, " + Fingerprint.abbrev(job.configDigest()) + " on the coordinator): does the scenario include"
          + " a file, or name a cost model, this node does not have?", false);
    }
    RunResult r = Runner.run(prepared, threads, null);
    List<SweepCoordinator.OutputFile> files = PointFiles.pack(scratch, r);
    long size = PointFiles.size(files);
    if (size > MAX_OUTPUT_BYTES) {
      return failed(self, job, String.format(Locale.ROOT, "its outputs take %.1f MiB compressed, more than a cluster"
          + " message may carry (%d MiB): run it with a local sweep", size / 1048576.0, MAX_OUTPUT_BYTES >> 20), false);
    }
    return new SweepCoordinator.PointDone(self, address, job.sweepId(), job.index(), SweepRow.of(job.point(), r),
        files, null, false);
  }

  private SweepCoordinator.PointDone failed(ActorRef<Command> self, PointJob job, String error, boolean internal) {
    return new SweepCoordinator.PointDone(self, address, job.sweepId(), job.index(), null, List.of(), error, internal);
  }

  private Behavior<Command> onRan(Ran r) {
    running = null;
    PointJob job = r.delivery().message();
    Session s = sessions.get(job.sweepId());
    if (s != null) {
      SweepCoordinator.PointDone d = r.done();
      log.accept(String.format(Locale.ROOT, "[vfiosim node] %s: %s %s (%.1f s)", address, job.point().name(),
          d.error() != null ? "cannot run: " + d.error() : "exit " + d.row().exitStatus(), r.seconds()));
      s.coordinator().tell(d);
      Resend key = new Resend(job.sweepId(), job.index());
      unacked.put(key, new Unacked(r.delivery(), d));
      timers.startTimerWithFixedDelay(key, key, resendInterval);
    }
    startNext();
    return this;
  }

  private Behavior<Command> onStored(Stored st) {
    Resend key = new Resend(st.sweepId(), st.index());
    Unacked u = unacked.remove(key);
    if (u != null) {
      timers.cancel(key);
      u.delivery().confirmTo().tell(ConsumerController.confirmed());
    }
    return this;
  }

  private Behavior<Command> onResend(Resend r) {
    Unacked u = unacked.get(r);
    Session s = sessions.get(r.sweepId());
    if (u != null && s != null) {
      s.coordinator().tell(u.done());
    }
    return this;
  }

  private Behavior<Command> onCoordinatorGone(CoordinatorGone g) {
    greeted.remove(g.coordinator());
    Iterator<Session> it = sessions.values().iterator();
    while (it.hasNext()) {
      Session s = it.next();
      if (!s.coordinator().equals(g.coordinator())) {
        continue;
      }
      it.remove();
      getContext().stop(s.consumer());
      queue.removeIf(d -> d.message().sweepId().equals(s.sweepId()));
      unacked.keySet().removeIf(k -> {
        boolean mine = k.sweepId().equals(s.sweepId());
        if (mine) {
          timers.cancel(k);
        }
        return mine;
      });
      removeDir(s);
      log.accept("[vfiosim node] " + address + ": sweep " + s.sweepId() + " ended; waiting for the next");
    }
    return this;
  }

  private static void removeDir(Session s) {
    try {
      PointFiles.deleteTree(s.dir());
    } catch (IOException e) {
      // A scratch directory left in the temporary directory; nothing depends on it.
    }
  }
}
