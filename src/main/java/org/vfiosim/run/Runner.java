package org.vfiosim.run;

import com.typesafe.config.ConfigValueFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.sim.Engine;
import org.vfiosim.sim.LockClassStats;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.TimeKeeper;
import org.vfiosim.workload.Scenario;
import org.vfiosim.workload.Scenarios;

/** Runs one scenario: load and check the settings, build the model, run it, gather the results. */
public final class Runner {
  /** How many lock instances results.json lists (the most waited-for first). */
  public static final int TOP_INSTANCES = 20;

  /** A run ready to start: every user error has been reported by the time this exists. */
  public record Prepared(RunSettings settings, Scenario scenario) {}

  private Runner() {}

  /**
   * Loads the configuration and builds the scenario. Throws {@code UserError} for any bad input.
   *
   * @param scenarioFile null for the default scenario
   * @param seed overrides {@code vfiosim.seed} when not null
   */
  public static Prepared prepare(Path home, Path scenarioFile, List<String> sets, Long seed, Path costs) {
    ConfigLoader.Loaded l = ConfigLoader.load(home, scenarioFile, sets, costs);
    if (seed != null) {
      l = new ConfigLoader.Loaded(l.config().withValue("vfiosim.seed", ConfigValueFactory.fromAnyRef(seed)),
          l.costs(), l.scenarioName(), l.scenarioFile(), l.costsFile());
    }
    RunSettings s = RunSettings.of(l);
    Scenario sc = Scenarios.build(s);
    sc.layout(s.shards());
    return new Prepared(s, sc);
  }

  /** Runs a prepared scenario on {@code threads} dispatcher threads. */
  public static RunResult run(Prepared p, int threads, TimeKeeper.Progress progress) {
    return run(p, threads, progress, 0);
  }

  /**
   * Runs a prepared scenario; {@code traceLimit > 0} records lock holds, waits and entry points
   * (at most that many per shard) for trace.json.
   */
  public static RunResult run(Prepared p, int threads, TimeKeeper.Progress progress, int traceLimit) {
    RunSettings s = p.settings();
    Model m = p.scenario().model();
    if (traceLimit > 0) {
      for (var sh : m.shards()) {
        sh.enableTrace(traceLimit);
      }
    }
    long t0 = System.nanoTime();
    TimeKeeper.Outcome o = Engine.run(m, new Engine.Settings(threads, s.maxWindowCycles(), Long.MAX_VALUE),
        s.config(), progress);
    long totalNs = System.nanoTime() - t0;
    long wallNs = o.wallNanos();

    List<Invariant> invariants = new ArrayList<>(p.scenario().invariants());
    invariants.add(EndChecks.noLockHeld(m));
    invariants.add(EndChecks.everyThreadFinished(m));
    List<String> violations = new ArrayList<>();
    for (Invariant inv : invariants) {
      violations.addAll(inv.check());
    }
    List<Finding> findings = new ArrayList<>(p.scenario().findings().get());
    findings.addAll(EndChecks.deadlocks(m));
    findings.addAll(EndChecks.lockOrder(m, s.cpuGhz()));

    boolean complete = o.status() == TimeKeeper.Status.QUIESCENT;
    List<SimLock> top = new ArrayList<>(m.locks());
    top.removeIf(l -> l.writeStats().acquisitions() == 0
        && (l.readStats() == null || l.readStats().acquisitions() == 0));
    top.sort(Comparator.comparingLong(Runner::waitTotal).reversed().thenComparing(SimLock::displayName));
    if (top.size() > TOP_INSTANCES) {
      top = new ArrayList<>(top.subList(0, TOP_INSTANCES));
    }
    long events = m.events();
    long messages = 0;
    long grants = 0;
    for (var sh : m.shards()) {
      messages += sh.messages();
      grants += sh.grants();
    }
    double secs = wallNs / 1e9;
    RunResult.Host host = new RunResult.Host(wallNs / 1_000_000, Math.max(0, totalNs - wallNs) / 1_000_000,
        events / secs, grants / secs, threads, m.shards().length, o.windows(), peakHeapMb());
    long[] dropped = new long[1];
    List<org.vfiosim.sim.TraceEvent> trace = traceLimit > 0 ? org.vfiosim.sim.TraceBuffer.merge(m, dropped) : null;
    return new RunResult(s, m.virtualTime(), events, messages, grants, m.opStats(), LockClassStats.of(m), top,
        invariants.size(), violations, findings, complete,
        o.status() == TimeKeeper.Status.FAILED ? "failed: " + o.error() : o.status().name().toLowerCase(), host,
        trace, dropped[0], p.scenario().extraResults().get());
  }

  private static long waitTotal(SimLock l) {
    return l.writeStats().wait.total() + (l.readStats() == null ? 0 : l.readStats().wait.total());
  }

  private static long peakHeapMb() {
    long peak = 0;
    for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
      if (b.getType() == MemoryType.HEAP && b.getPeakUsage() != null) {
        peak += b.getPeakUsage().getUsed();
      }
    }
    return peak / (1024 * 1024);
  }
}
