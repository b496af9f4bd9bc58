package org.vfiosim.sweep;

import java.util.Map;
import java.util.TreeMap;
import org.vfiosim.run.RunResult;
import org.vfiosim.sim.LockClassStats;
import org.vfiosim.sim.LockKind;
import org.vfiosim.sim.LockModeStats;
import org.vfiosim.sim.OpStats;

/**
 * What a sweep keeps of one point's run, for sweep.csv and the sweep report: small, plain values
 * (an executor on another node can send it back as it is).
 *
 * @param generation the generation the point ran
 * @param exitStatus the run's exit status (1: a BUG, leak, deadlock, broken invariant or incomplete run)
 * @param ops per entry point, by name
 * @param locks per lock class as results.json names it ({@code NAME-R}/{@code NAME-W} for rwsems)
 */
public record SweepRow(SweepPoint point, String generation, double cpuGhz, int exitStatus, String status,
    long virtualTimeCycles, Map<String, Op> ops, Map<String, Lock> locks) {

  /** An entry point's figures: calls, exact mean and p99 latency in cycles. */
  public record Op(long count, double meanCycles, long p99Cycles) {}

  /** A lock class's figures: contentions and total wait in cycles. */
  public record Lock(long contentions, long waitTotalCycles) {}

  public SweepRow {
    ops = Map.copyOf(ops);
    locks = Map.copyOf(locks);
  }

  public static SweepRow of(SweepPoint p, RunResult r) {
    Map<String, Op> ops = new TreeMap<>();
    for (Map.Entry<String, OpStats> e : r.ops().entrySet()) {
      OpStats o = e.getValue();
      ops.put(e.getKey(), new Op(o.count(), o.mean(), o.percentile(99)));
    }
    Map<String, Lock> locks = new TreeMap<>();
    for (LockClassStats c : r.lockClasses()) {
      if (c.kind() == LockKind.RWSEM) {
        locks.put(c.name() + "-R", lock(c.read));
        locks.put(c.name() + "-W", lock(c.write));
      } else {
        locks.put(c.name(), lock(c.write));
      }
    }
    var s = r.settings();
    return new SweepRow(p, s.generation(), s.cpuGhz(), r.exitStatus(), r.status(), r.virtualTimeCycles(), ops, locks);
  }

  private static Lock lock(LockModeStats m) {
    return new Lock(m.contentions(), m.wait.total());
  }
}
