package org.vfiosim.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.config.UserError;
import org.vfiosim.report.Outputs;
import org.vfiosim.report.RunOutputs;
import org.vfiosim.report.Summary;
import org.vfiosim.run.RunResult;
import org.vfiosim.run.Runner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vfiosim run [SCENARIO.conf] [--seed N] [--set key=value]... [--threads N] [--out DIR]
 * [--trace [--trace-limit N]]}.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a scenario and writes results.json, lock_stat, perf-lock.txt, ops.csv and report.html.",
      "Without a file, runs the default scenario (vfiosim.scenario in conf/application.conf)."
    })
final class RunCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "SCENARIO.conf", description = "Scenario file (HOCON).")
  Path scenario;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of every random stream (overrides vfiosim.seed).")
  Long seed;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Overrides any setting, e.g. --set vfiosim.workload.clients=1024. Repeatable.")
  List<String> sets = new ArrayList<>();

  @Option(names = "--threads", paramLabel = "N",
      description = "Dispatcher threads (default: all CPUs). Never changes a result.")
  Integer threads;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: out/<scenario>-<seed>).")
  Path out;

  @Option(names = "--no-progress", description = "Do not show progress on stderr.")
  boolean noProgress;

  @Option(names = "--trace",
      description = "Also write trace.json (Chrome trace-event format; open it in Perfetto): lock holds, waits, entry points.")
  boolean trace;

  @Option(names = "--trace-limit", paramLabel = "N",
      description = "Spans kept per shard for trace.json (default: 200000); later ones are counted as dropped. Implies --trace.")
  Integer traceLimit;

  /** Spans per shard that --trace keeps by default. */
  static final int DEFAULT_TRACE_LIMIT = 200_000;

  @Override
  public Integer call() {
    int n = threads(threads);
    int limit = 0;
    if (traceLimit != null) {
      if (traceLimit < 1) {
        throw new UserError("--trace-limit must be at least 1, got " + traceLimit);
      }
      limit = traceLimit;
    } else if (trace) {
      limit = DEFAULT_TRACE_LIMIT;
    }
    Runner.Prepared p = Runner.prepare(ConfigLoader.home(), scenario, sets, seed, null);
    var s = p.settings();
    Path dir = Outputs.checkDir("--out", out != null ? out : Path.of("out", s.scenarioName() + "-" + s.seed()));
    ProgressPrinter progress = noProgress ? null
        : new ProgressPrinter(System.err, p.scenario().expectedEndCycles(), s.cpuGhz());
    // Ctrl-C / SIGTERM: stop at the next window boundary and write partial results before the
    // JVM exits (with the signal's status).
    try (StopOnSignal signal = new StopOnSignal(true)) {
      RunResult r = Runner.run(p, n, progress, limit, signal.stop());
      if (progress != null) {
        progress.finish();
      }
      RunOutputs.write(dir, r, limit);
      var outw = spec.commandLine().getOut();
      outw.print(Summary.render(r, dir.toString()));
      outw.flush();
      if (!r.complete()) {
        var err = spec.commandLine().getErr();
        String log = r.failure() == null ? "" : "; stack trace in " + RunOutputs.writeErrorLog(dir, r.failure());
        err.println("vfiosim: run " + r.status() + "; partial results (\"complete\": false) in " + dir + log);
        err.flush();
      } else {
        RunOutputs.removeErrorLog(dir);
      }
      return r.exitStatus();
    }
  }

  /** --threads: the dispatcher threads, all CPUs by default; 1..1024. */
  static int threads(Integer threads) {
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (n < 1 || n > 1024) {
      throw new UserError("--threads must be between 1 and 1024, got " + n);
    }
    return n;
  }

  /** --join-timeout (node, sweep --cluster): at least a second. */
  static java.time.Duration joinTimeout(int seconds) {
    if (seconds < 1) {
      throw new UserError("--join-timeout must be at least 1 second, got " + seconds);
    }
    return java.time.Duration.ofSeconds(seconds);
  }

  /** Prints each line to {@code err} whole (cluster actors log from several threads). */
  static java.util.function.Consumer<String> lines(java.io.PrintWriter err) {
    return line -> {
      synchronized (err) {
        err.println(line);
        err.flush();
      }
    };
  }
}
