package org.vfiosim.report;

import java.nio.file.Path;
import org.vfiosim.run.RunResult;

/**
 * Writes a run's output files into a directory, each atomically: {@code lock_stat},
 * {@code perf-lock.txt}, {@code ops.csv}, {@code report.html}, then {@code results.json} last, so
 * its presence marks a complete set. {@code vfiosim run} and every point of a sweep use this.
 */
public final class RunOutputs {
  private RunOutputs() {}

  public static void write(Path dir, RunResult r) {
    double ghz = r.settings().cpuGhz();
    Outputs.write(dir.resolve("lock_stat"), LockStatWriter.render(r.lockClasses(), ghz));
    Outputs.write(dir.resolve("perf-lock.txt"), PerfLockWriter.render(r.lockClasses(), ghz));
    Outputs.write(dir.resolve("ops.csv"), OpsCsv.render(r));
    Outputs.write(dir.resolve("report.html"), HtmlReport.render(r));
    Outputs.write(dir.resolve("results.json"), ResultsJson.render(r));
  }
}
