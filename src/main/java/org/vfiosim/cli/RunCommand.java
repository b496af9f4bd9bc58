package org.vfiosim.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.config.UserError;
import org.vfiosim.report.RunOutputs;
import org.vfiosim.report.Summary;
import org.vfiosim.run.RunResult;
import org.vfiosim.run.Runner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vfiosim run [SCENARIO.conf] [--seed N] [--set key=value]... [--threads N] [--out DIR]}. */
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

  @Override
  public Integer call() {
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (n < 1 || n > 1024) {
      throw new UserError("--threads must be between 1 and 1024, got " + n);
    }
    Runner.Prepared p = Runner.prepare(ConfigLoader.home(), scenario, sets, seed, null);
    var s = p.settings();
    Path dir = out != null ? out : Path.of("out", s.scenarioName() + "-" + s.seed());
    ProgressPrinter progress = noProgress ? null
        : new ProgressPrinter(System.err, p.scenario().expectedEndCycles(), s.cpuGhz());
    RunResult r = Runner.run(p, n, progress);
    if (progress != null) {
      progress.finish();
    }
    RunOutputs.write(dir, r);
    var outw = spec.commandLine().getOut();
    outw.print(Summary.render(r, dir.toString()));
    outw.flush();
    return r.exitStatus();
  }
}
