package org.vfiosim.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vfiosim.cluster.ClusterNode;
import org.vfiosim.cluster.ClusterSystems;
import org.vfiosim.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vfiosim node --port P [--seed-node HOST:PORT]... [--host H] [--threads N] [--join-timeout S]}. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    header = "Joins a vfiosim Akka Cluster as a worker node of 'sweep --cluster'.",
    description = {
      "Joins (or starts) a vfiosim Akka Cluster as a worker node and runs the",
      "sweep points coordinators ('vfiosim sweep --cluster HOST:PORT') hand out,",
      "one at a time, each exactly as 'vfiosim run' would. Runs until stopped",
      "(Ctrl-C or SIGTERM: it leaves the cluster, its unfinished points go to",
      "other nodes, and the exit status is the signal's, 130 or 143).",
      "Exit status: 1 removed from the cluster by the others; 2 bad input, no",
      "seed node answered, or a coordinator rejected this node (different",
      "build or configuration)."
    })
final class NodeCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--port", paramLabel = "P", required = true,
      description = "Port to listen on (0: any free port).")
  String port;

  @Option(names = "--seed-node", paramLabel = "HOST:PORT",
      description = "A member to join through. Repeatable. None: this node starts a new cluster.")
  List<String> seedNodes = new ArrayList<>();

  @Option(names = "--host", paramLabel = "H",
      description = "Address to listen on and be reached at (default: conf/cluster.conf's, 127.0.0.1).")
  String host;

  @Option(names = "--threads", paramLabel = "N",
      description = "Dispatcher threads of each run (default: all CPUs). Never changes a result.")
  Integer threads;

  @Option(names = "--join-timeout", paramLabel = "S",
      description = "Seconds to wait for a seed node to answer (default: ${DEFAULT-VALUE}).")
  int joinTimeout = 30;

  @Override
  public Integer call() {
    int n = RunCommand.threads(threads);
    Duration join = RunCommand.joinTimeout(joinTimeout);
    int p = ClusterSystems.port("--port " + port, port, true);
    List<ClusterSystems.HostPort> seeds = ClusterSystems.parseAddresses("--seed-node", seedNodes);
    PrintWriter err = spec.commandLine().getErr();
    ClusterNode node = ClusterNode.start(ConfigLoader.home(), host, p, seeds, n, join, RunCommand.lines(err));
    synchronized (err) {
      err.println("[vfiosim node] " + node.address() + ": up in the cluster"
          + (seeds.isEmpty() ? " (its first member)" : "") + ", " + n + " thread(s) per run; sweeps join with"
          + " --cluster " + node.address());
      err.flush();
    }
    int status = node.awaitExit();
    String why = node.endedBecause();
    if (why != null) {
      err.println("vfiosim: " + why);
      err.flush();
    }
    return status;
  }
}
