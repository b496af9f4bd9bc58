package org.vfiosim.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vfiosim.cluster.ClusterSweepExecutor;
import org.vfiosim.cluster.ClusterSystems;
import org.vfiosim.cluster.Fingerprint;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.config.UserError;
import org.vfiosim.report.Outputs;
import org.vfiosim.run.Runner;
import org.vfiosim.sim.StopSignal;
import org.vfiosim.sweep.LocalSweepExecutor;
import org.vfiosim.sweep.SweepCsv;
import org.vfiosim.sweep.SweepExecutor;
import org.vfiosim.sweep.SweepPoint;
import org.vfiosim.sweep.SweepReport;
import org.vfiosim.sweep.SweepRow;
import org.vfiosim.sweep.SweepSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vfiosim sweep [SCENARIO.conf] --param KEY=V1,V2,... [--param ...] [--generations G1,G2,...]
 * [--seeds N] [--set key=value]... [--threads N] [--out DIR] [--cluster HOST:PORT[,...] [--host H] [--port P]
 * [--join-timeout S]]}.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    header = "Runs a scenario for every point of --param values x generations x seeds.",
    description = {
      "Runs a scenario once per point of the cross product of the --param values,",
      "the --generations and seeds 1..N, each exactly as 'vfiosim run' would run it.",
      "Writes DIR/points/<point>/ (the outputs of 'run'), DIR/sweep.csv (one row per",
      "point) and DIR/report.html (latency and lock wait against the first --param,",
      "one line per generation). Every point is checked before the first one runs.",
      "With --cluster the points run on the 'vfiosim node' members of an Akka",
      "Cluster; the outputs are the same.",
      "Exit status: 0 every point ran clean; 1 a point found a BUG, leak, deadlock",
      "or broken invariant; 2 bad input."
    })
final class SweepCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "SCENARIO.conf",
      description = "Scenario file (HOCON; default: vfiosim.scenario of conf/application.conf).")
  Path scenario;

  @Option(names = "--param", paramLabel = "KEY=V1,V2,...",
      description = "A setting to sweep and its values, e.g. --param vfiosim.workload.clients=8,64,512. Repeatable;"
          + " the first one is the x axis of the plots.")
  List<String> params = new ArrayList<>();

  @Option(names = "--generations", paramLabel = "G1,G2,...",
      description = "Kernel generations to run each point on (v5.6, v5.10, v5.10-contig; default: the scenario's).")
  String generations;

  @Option(names = "--seeds", paramLabel = "N", description = "Runs every point with seeds 1..N (default: ${DEFAULT-VALUE}).")
  int seeds = 1;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Overrides a setting for every point. Repeatable.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "N",
      description = "Dispatcher threads of each run (default: all CPUs; with --cluster each node's --threads)."
          + " Never changes a result.")
  Integer threads;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: out/sweep-<scenario>).")
  Path out;

  @Option(names = "--cluster", paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Runs the points on the nodes of an Akka Cluster ('vfiosim node'), joining through these"
          + " members. Outputs are the same as a local sweep's.")
  String cluster;

  @Option(names = "--host", paramLabel = "H",
      description = "With --cluster: address to listen on and be reached at (default: conf/cluster.conf's, 127.0.0.1).")
  String host;

  @Option(names = "--port", paramLabel = "P",
      description = "With --cluster: port to listen on (default: any free port).")
  String port;

  @Option(names = "--join-timeout", paramLabel = "S",
      description = "With --cluster: seconds to wait for a seed node to answer, and for a node while points remain"
          + " (default: ${DEFAULT-VALUE}).")
  int joinTimeout = 30;

  @Override
  public Integer call() {
    int n = RunCommand.threads(threads);
    if (cluster != null && threads != null) {
      throw new UserError("--threads is each node's own with --cluster (vfiosim node --threads N)");
    }
    if (cluster == null && (host != null || port != null)) {
      throw new UserError((host != null ? "--host" : "--port") + " needs --cluster HOST:PORT");
    }
    Duration join = RunCommand.joinTimeout(joinTimeout);
    List<ClusterSystems.HostPort> seedNodes =
        cluster == null ? List.of() : ClusterSystems.parseAddresses("--cluster", List.of(cluster));
    int listenPort = port == null ? 0 : ClusterSystems.port("--port " + port, port, true);
    Path home = ConfigLoader.home();
    ConfigLoader.Loaded base = ConfigLoader.load(home, scenario, sets, null);
    SweepSpec sweep = SweepSpec.parse(params, generations, seeds, sets, base.config());
    List<SweepPoint> points = sweep.points(base.config().getString("vfiosim.generation"));
    // Every point's configuration and model are checked before anything runs; the models are
    // dropped again and each is rebuilt just before it runs.
    List<String> digests = new ArrayList<>();
    for (SweepPoint p : points) {
      Runner.Prepared prepared = p.prepare(home, scenario);
      if (cluster != null) {
        digests.add(Fingerprint.ofRun(prepared.settings()));
      }
    }
    Path dir = Outputs.checkDir("--out", out != null ? out : Path.of("out", "sweep-" + base.scenarioName()));
    PrintWriter err = spec.commandLine().getErr();
    // Ctrl-C / SIGTERM on a local sweep: the running point stops at its next window boundary and is
    // written as a partial point; sweep.csv and report.html cover the points done.
    try (StopOnSignal signal = new StopOnSignal(cluster == null)) {
      return sweep(home, base, sweep, points, digests, n, listenPort, seedNodes, join, dir, err, signal.stop());
    }
  }

  private int sweep(Path home, ConfigLoader.Loaded base, SweepSpec sweep, List<SweepPoint> points, List<String> digests,
      int n, int listenPort, List<ClusterSystems.HostPort> seedNodes, Duration join, Path dir, PrintWriter err,
      StopSignal stop) {
    long t0 = System.nanoTime();
    SweepExecutor executor = cluster == null ? new LocalSweepExecutor(home, scenario, n, dir.resolve("points"), stop)
        : new ClusterSweepExecutor(home, base.scenarioFile(), base.scenarioName(), digests, dir.resolve("points"), host,
            listenPort, seedNodes, join, RunCommand.lines(err));
    List<SweepRow> rows = executor.execute(points, cluster != null ? null : (done, total, row) -> {
      // Wall-clock time only for display; it never reaches an output file.
      err.println(String.format(Locale.ROOT, "[vfiosim sweep] %d/%d %s: exit %d (%.1f s)", done, total,
          row.point().name(), row.exitStatus(), (System.nanoTime() - t0) / 1e9));
      err.flush();
    });
    Outputs.write(dir.resolve("sweep.csv"), SweepCsv.render(sweep.keys(), rows));
    String file = scenario != null ? scenario.toString() : base.scenarioFile().toString();
    Outputs.write(dir.resolve("report.html"), SweepReport.render(base.scenarioName(), file, sweep, rows));

    PrintWriter o = spec.commandLine().getOut();
    long failed = rows.stream().filter(r -> r.exitStatus() != 0).count();
    o.println(String.format(Locale.ROOT, "vfiosim sweep: %s, %d point(s): %s, %d generation(s), %d seed(s)",
        base.scenarioName(), rows.size(), String.join(" x ", sweep.keys()),
        Math.max(1, sweep.generations().size()), sweep.seeds()));
    if (failed == 0) {
      o.println("every point exited 0");
    } else {
      o.println(failed + " point(s) exited 1 (a BUG, leak, deadlock, broken invariant or incomplete run):");
      rows.stream().filter(r -> r.exitStatus() != 0).forEach(r -> o.println("  " + r.point().name() + ": " + r.status()));
    }
    if (rows.size() < points.size()) {
      o.println("sweep stopped (" + stop.reason() + ") after " + rows.size() + " of " + points.size()
          + " point(s); the last one is partial (\"complete\": false)");
    }
    o.println("outputs: " + dir + "/{sweep.csv,report.html,points/}");
    o.flush();
    return failed == 0 && rows.size() == points.size() ? 0 : 1;
  }
}
