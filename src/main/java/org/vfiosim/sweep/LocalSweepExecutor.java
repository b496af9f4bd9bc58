package org.vfiosim.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vfiosim.report.RunOutputs;
import org.vfiosim.run.RunResult;
import org.vfiosim.run.Runner;
import org.vfiosim.sim.StopSignal;

/**
 * Runs the points one after the other in this JVM, each on {@code threads} dispatcher threads, and
 * writes each point's outputs into {@code pointsDir/<point>/}. A point's model is built just before
 * it runs and dropped after, so a sweep needs no more memory than its largest point.
 */
public final class LocalSweepExecutor implements SweepExecutor {
  private final Path home;
  private final Path scenario;
  private final int threads;
  private final Path pointsDir;
  private final StopSignal stop;

  /**
   * {@code stop} (may be null): once requested, the running point stops at its next window
   * boundary and is written as a partial point ({@code "complete": false}); no further point runs.
   */
  public LocalSweepExecutor(Path home, Path scenario, int threads, Path pointsDir, StopSignal stop) {
    this.home = home;
    this.scenario = scenario;
    this.threads = threads;
    this.pointsDir = pointsDir;
    this.stop = stop;
  }

  @Override
  public List<SweepRow> execute(List<SweepPoint> points, Progress progress) {
    List<SweepRow> rows = new ArrayList<>(points.size());
    for (SweepPoint p : points) {
      if (stop != null && stop.reason() != null) {
        break;
      }
      Runner.Prepared prepared = p.prepare(home, scenario);
      RunResult r = Runner.run(prepared, threads, null, 0, stop);
      RunOutputs.write(pointsDir.resolve(p.name()), r);
      SweepRow row = SweepRow.of(p, r);
      rows.add(row);
      if (progress != null) {
        progress.pointDone(rows.size(), points.size(), row);
      }
    }
    return rows;
  }
}
