package org.vfiosim.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vfiosim.report.RunOutputs;
import org.vfiosim.run.RunResult;
import org.vfiosim.run.Runner;

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

  public LocalSweepExecutor(Path home, Path scenario, int threads, Path pointsDir) {
    this.home = home;
    this.scenario = scenario;
    this.threads = threads;
    this.pointsDir = pointsDir;
  }

  @Override
  public List<SweepRow> execute(List<SweepPoint> points, Progress progress) {
    List<SweepRow> rows = new ArrayList<>(points.size());
    for (SweepPoint p : points) {
      Runner.Prepared prepared = p.prepare(home, scenario);
      RunResult r = Runner.run(prepared, threads, null);
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
