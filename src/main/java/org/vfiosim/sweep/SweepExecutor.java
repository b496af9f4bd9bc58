package org.vfiosim.sweep;

import java.util.List;

/**
 * Runs a sweep's points. Each point is run exactly as {@code vfiosim run} runs it (same
 * preparation, same outputs under {@code DIR/points/<point>/}); what comes back is one
 * {@link SweepRow} per point. The local implementation runs them one after the other; another can
 * spread them over several machines, since points share nothing.
 */
public interface SweepExecutor {
  /** Called as each point finishes: how many are done, of how many, and the point's row. */
  @FunctionalInterface
  interface Progress {
    void pointDone(int done, int total, SweepRow row);
  }

  /**
   * Runs every point; returns their rows in the order of {@code points} (only the first ones when
   * a local sweep was stopped by a signal).
   */
  List<SweepRow> execute(List<SweepPoint> points, Progress progress);
}
