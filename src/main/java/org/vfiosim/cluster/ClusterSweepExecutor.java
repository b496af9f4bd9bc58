package org.vfiosim.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.vfiosim.config.UserError;
import org.vfiosim.sweep.SweepExecutor;
import org.vfiosim.sweep.SweepPoint;
import org.vfiosim.sweep.SweepRow;

/**
 * Runs a sweep's points on the nodes of an Akka Cluster ({@code vfiosim sweep --cluster}): joins
 * through the seed nodes as a member of its own, starts a {@link SweepCoordinator} and waits for
 * every point's result; the coordinator writes each point's files as a local sweep does. Progress
 * lines (nodes, points done, points in flight) go to {@code log}; {@code progress}, when given,
 * hears of each point as its result is written.
 */
public final class ClusterSweepExecutor implements SweepExecutor {
  private final Path home;
  private final Path scenarioFile;
  private final String scenarioName;
  private final List<String> configDigests;
  private final Path pointsDir;
  private final String host;
  private final int port;
  private final List<ClusterSystems.HostPort> seeds;
  private final Duration joinTimeout;
  private final Consumer<String> log;

  /**
   * @param scenarioFile the scenario file; its text is sent to the nodes
   * @param configDigests {@link Fingerprint#ofRun} of each point, in point order
   * @param host the address to listen on, or null for conf/cluster.conf's
   * @param port the port to listen on (0: any free one)
   * @param joinTimeout how long to wait for a seed to answer, and for a node while points remain
   */
  public ClusterSweepExecutor(Path home, Path scenarioFile, String scenarioName, List<String> configDigests,
      Path pointsDir, String host, int port, List<ClusterSystems.HostPort> seeds, Duration joinTimeout,
      Consumer<String> log) {
    this.home = home;
    this.scenarioFile = scenarioFile;
    this.scenarioName = scenarioName;
    this.configDigests = List.copyOf(configDigests);
    this.pointsDir = pointsDir;
    this.host = host;
    this.port = port;
    this.seeds = List.copyOf(seeds);
    this.joinTimeout = joinTimeout;
    this.log = log;
  }

  @Override
  public List<SweepRow> execute(List<SweepPoint> points, Progress progress) {
    String text;
    try {
      text = Files.readString(scenarioFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserError(scenarioFile + ": cannot read: " + e.getMessage());
    }
    Fingerprint fingerprint = Fingerprint.of(home);
    List<String> seedNames = new ArrayList<>();
    seeds.forEach(s -> seedNames.add(s.toString()));
    SweepCoordinator.Sweep sweep = new SweepCoordinator.Sweep(UUID.randomUUID().toString(), scenarioName, text,
        points, configDigests, pointsDir, fingerprint, joinTimeout, String.join(",", seedNames));
    CompletableFuture<List<SweepRow>> done = new CompletableFuture<>();
    ActorSystem<Void> system = ClusterSystems.start(Behaviors.setup(ctx -> {
      ctx.spawn(SweepCoordinator.create(sweep, done, log, progress), "sweep");
      return Behaviors.empty();
    }), ClusterSystems.config(home, host, port, seeds));
    try {
      ClusterSystems.awaitUp(system, joinTimeout, seeds);
      String self = ClusterSystems.hostPort(ClusterSystems.selfAddress(system));
      log.accept("[vfiosim sweep] " + self + " joined the cluster through " + String.join(", ", seedNames) + "; "
          + points.size() + " point(s) to hand out");
      system.getWhenTerminated().thenRun(() -> done.completeExceptionally(new UserError("this coordinator (" + self
          + ") left the cluster before the sweep ended (downed by the others after being unreachable, or"
          + " stopped); points whose files are in place are done")));
      return done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      ClusterSystems.terminate(system);
    }
  }
}
