package org.vfiosim.cluster;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A worker node ({@code vfiosim node}): one cluster ActorSystem running a {@link NodeWorker}
 * (named {@code /user/node}) until it is stopped, rejected by a coordinator, or removed from the
 * cluster.
 *
 * @param system the node's cluster ActorSystem
 * @param address its {@code host:port}
 * @param exit completed with the command's exit status: 2 when a coordinator rejected the node
 *     (or the cluster its configuration), 1 when the others downed it, 0 when it stopped by request
 */
public record ClusterNode(ActorSystem<Void> system, String address, CompletableFuture<Integer> exit) {

  /**
   * Starts a node and waits until it is Up in the cluster.
   *
   * @param host the address to listen on, or null for conf/cluster.conf's
   * @param port the port (0: any free one)
   * @param seeds members to join through; empty: this node starts a new cluster
   * @param threads dispatcher threads of each run
   */
  public static ClusterNode start(Path home, String host, int port, List<ClusterSystems.HostPort> seeds, int threads,
      Duration joinTimeout, Consumer<String> log) {
    Fingerprint fingerprint = Fingerprint.of(home);
    var config = ClusterSystems.config(home, host, port, seeds);
    Duration resend = config.getDuration("vfiosim-cluster.result-resend-interval");
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    ActorSystem<Void> system = ClusterSystems.start(Behaviors.setup(ctx -> {
      String self = ClusterSystems.hostPort(ClusterSystems.selfAddress(ctx.getSystem()));
      ctx.spawn(NodeWorker.create(home, threads, self, fingerprint, resend, log, exit), "node");
      return Behaviors.empty();
    }), config);
    if (seeds.isEmpty()) {
      Cluster.get(system).manager().tell(Join.create(ClusterSystems.selfAddress(system)));
    }
    ClusterSystems.awaitUp(system, joinTimeout, seeds.isEmpty()
        ? List.of(new ClusterSystems.HostPort("itself", 0)) : seeds);
    system.getWhenTerminated().thenRun(() -> exit.complete(status(system)));
    return new ClusterNode(system, ClusterSystems.hostPort(ClusterSystems.selfAddress(system)), exit);
  }

  /** The exit status of a node whose ActorSystem stopped: why its coordinated shutdown ran. */
  private static int status(ActorSystem<?> system) {
    var reason = CoordinatedShutdown.get(system).getShutdownReason().orElse(null);
    if (reason == CoordinatedShutdown.clusterDowningReason()) {
      return 1;
    }
    if (reason == CoordinatedShutdown.incompatibleConfigurationDetectedReason()) {
      return 2;
    }
    return 0;
  }

  /** One line saying why a stopped node did not stop by request, or null. */
  public String endedBecause() {
    var reason = CoordinatedShutdown.get(system).getShutdownReason().orElse(null);
    if (reason == CoordinatedShutdown.clusterDowningReason()) {
      return "node " + address + " was removed from the cluster (downed by the others: unreachable for too long?)";
    }
    if (reason == CoordinatedShutdown.incompatibleConfigurationDetectedReason()) {
      return "node " + address + " left: the cluster's members use a different Akka configuration (conf/cluster.conf)";
    }
    return null;
  }

  /** Blocks until the node stops; returns the exit status. The ActorSystem is stopped by then. */
  public int awaitExit() {
    int status;
    try {
      status = exit.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = 1;
    } catch (ExecutionException e) {
      status = 1;
    }
    ClusterSystems.terminate(system);
    return status;
  }

  /** Leaves the cluster (its unconfirmed points go to other nodes) and stops. */
  public void leave() {
    exit.complete(0);
    ClusterSystems.terminate(system);
  }
}
