package org.vfiosim.run;

import java.util.List;
import java.util.Map;
import org.vfiosim.sim.LockClassStats;
import org.vfiosim.sim.OpStats;
import org.vfiosim.sim.SimLock;

/**
 * Everything a run produced, ready for the writers. All of it is a pure function of (scenario,
 * cost model, seed) except {@link #host}, and, in a run that did not complete, how far it got.
 * {@code failure} is what a shard threw when the run failed (for the error log; null otherwise).
 */
public record RunResult(
    RunSettings settings,
    long virtualTimeCycles,
    long events,
    long messages,
    long grants,
    Map<String, OpStats> ops,
    List<LockClassStats> lockClasses,
    List<SimLock> lockInstances,
    int invariantsChecked,
    List<String> violations,
    List<Finding> findings,
    boolean complete,
    String status,
    Host host,
    List<org.vfiosim.sim.TraceEvent> trace,
    long traceDropped,
    Map<String, Object> extra,
    Throwable failure) {

  /**
   * Machine-dependent figures (the only part of results.json that may differ between runs).
   * {@code wallMs} is the simulation proper (time keeper start to end), {@code engineOverheadMs} the
   * ActorSystem's start and stop around it; rates are per simulation wall second.
   */
  public record Host(long wallMs, long engineOverheadMs, double eventsPerSec, double acquisitionsPerSec,
      int threads, int shards, long windows, long peakHeapMb) {}

  /** Exit status: 1 when the run found a BUG, LEAK or DEADLOCK, broke an invariant or did not complete. */
  public int exitStatus() {
    if (!complete || !violations.isEmpty()) {
      return 1;
    }
    for (Finding f : findings) {
      if (f.kind().failsRun()) {
        return 1;
      }
    }
    return 0;
  }

  public long acquisitions() {
    long a = 0;
    for (LockClassStats c : lockClasses) {
      a += c.acquisitions();
    }
    return a;
  }
}
