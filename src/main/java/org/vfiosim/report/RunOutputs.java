package org.vfiosim.report;

import java.nio.file.Path;
import org.vfiosim.run.RunResult;

/**
 * Writes a run's output files into a directory, each atomically: {@code lock_stat},
 * {@code perf-lock.txt}, {@code ops.csv}, {@code report.html}, {@code trace.json} when the run was
 * traced, then {@code results.json} last, so its presence marks a complete set. {@code vfiosim run}
 * and every point of a sweep use this.
 */
public final class RunOutputs {
  public static final String TRACE = "trace.json";
  /** Written last: its presence marks a complete set. */
  public static final String RESULTS = "results.json";
  public static final String ERROR_LOG = "error.log";

  private RunOutputs() {}

  /** An untraced run's outputs. */
  public static void write(Path dir, RunResult r) {
    write(dir, r, 0);
  }

  /**
   * @param traceLimit the per-shard span limit the run was traced with (for trace.json's
   *     {@code otherData}); 0 when it was not traced, and a trace.json of an earlier run is removed
   */
  public static void write(Path dir, RunResult r, int traceLimit) {
    double ghz = r.settings().cpuGhz();
    Outputs.write(dir.resolve("lock_stat"), LockStatWriter.render(r.lockClasses(), ghz));
    Outputs.write(dir.resolve("perf-lock.txt"), PerfLockWriter.render(r.lockClasses(), ghz));
    Outputs.write(dir.resolve("ops.csv"), OpsCsv.render(r));
    Outputs.write(dir.resolve("report.html"), HtmlReport.render(r));
    if (traceLimit > 0 && r.trace() != null) {
      TraceJson.Meta meta = TraceJson.Meta.of(r, traceLimit);
      Outputs.write(dir.resolve(TRACE), w -> TraceJson.write(w, r.trace(), meta));
    } else {
      Outputs.remove(dir.resolve(TRACE));
    }
    Outputs.write(dir.resolve(RESULTS), ResultsJson.render(r));
  }

  /** The error log of a failed run: what a shard threw, with its stack trace. Returns its path. */
  public static Path writeErrorLog(Path dir, Throwable failure) {
    Path f = dir.resolve(ERROR_LOG);
    Outputs.write(f, w -> {
      java.io.PrintWriter pw = new java.io.PrintWriter(w);
      failure.printStackTrace(pw);
      pw.flush();
    });
    return f;
  }

  /** Removes an error log an earlier failed run left in {@code dir}. */
  public static void removeErrorLog(Path dir) {
    Outputs.remove(dir.resolve(ERROR_LOG));
  }
}
