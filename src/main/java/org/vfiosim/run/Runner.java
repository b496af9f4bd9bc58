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
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimulationFailure;
import org.vfiosim.sim.StopSignal;
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
          l.costs(), l.scenarioName(), l.scenarioFile(), l.costsFile(), l.user());
    }
    RunSettings s = RunSettings.of(l);
    Scenario sc = Scenarios.build(s);
    injectActorCrash(s, sc.model());
    limits(s, null); // checks vfiosim.limits before anything runs (a sweep checks every point first)
    sc.layout(s.shards());
    return new Prepared(s, sc);
  }

  /** {@code vfiosim.faults.actor-crash}: the named actor's handler throws from {@code at-us} on. */
  private static void injectActorCrash(RunSettings s, Model m) {
    var v = s.view();
    String name = v.getString("vfiosim.faults.actor-crash.actor");
    long atUs = v.longAtLeast("vfiosim.faults.actor-crash.at-us", 0);
    if (name.isEmpty()) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (SimActor<?> a : m.actors()) {
      if (a.name.equals(name)) {
        a.injectCrash(Math.round(atUs * s.cpuGhz() * 1000));
        return;
      }
      if (names.size() < 6) {
        names.add(a.name);
      }
    }
    throw v.bad("vfiosim.faults.actor-crash.actor", "names no actor of this scenario: '" + name + "' (actors: "
        + String.join(", ", names) + (m.actors().size() > names.size() ? ", ..." : "") + ")");
  }

  /** What stops a run early: {@code vfiosim.limits} and an outside stop request (may be null). */
  static TimeKeeper.Limits limits(RunSettings s, StopSignal stop) {
    var v = s.view();
    long wall = v.longBetween("vfiosim.limits.wall-seconds", 0, 1L << 31);
    long hungMs = v.longBetween("vfiosim.limits.hung-task-ms", 0, 1L << 40);
    long deadline = wall == 0 ? 0 : System.nanoTime() + wall * 1_000_000_000L;
    if (deadline == 0 && wall != 0) {
      deadline = 1; // 0 means none
    }
    return new TimeKeeper.Limits(Long.MAX_VALUE, Math.round(hungMs * s.cpuGhz() * 1_000_000), deadline, stop);
  }

  /** Runs a prepared scenario on {@code threads} dispatcher threads. */
  public static RunResult run(Prepared p, int threads, TimeKeeper.Progress progress) {
    return run(p, threads, progress, 0, null);
  }

  /**
   * Runs a prepared scenario; {@code traceLimit > 0} records lock holds, waits and entry points (at
   * most that many per shard) for trace.json; {@code stop} (may be null) lets another thread stop
   * the run at the next window boundary with partial results.
   */
  public static RunResult run(Prepared p, int threads, TimeKeeper.Progress progress, int traceLimit,
      StopSignal stop) {
    RunSettings s = p.settings();
    Model m = p.scenario().model();
    if (traceLimit > 0) {
      for (var sh : m.shards()) {
        sh.enableTrace(traceLimit);
      }
    }
    long t0 = System.nanoTime();
    TimeKeeper.Outcome o = Engine.run(m, new Engine.Settings(threads, s.maxWindowCycles(), s.parallelEvents(), limits(s, stop)),
        s.config(), progress);
    long totalNs = System.nanoTime() - t0;
    long wallNs = o.wallNanos();

    // A run that did not end by itself stopped mid-way: the end-of-run invariants do not apply
    // (threads are still working), only what already went wrong is reported.
    boolean complete = o.status() == TimeKeeper.Status.QUIESCENT;
    List<Invariant> invariants = complete ? EndChecks.atEnd(p.scenario().invariants(), m) : List.of();
    List<String> violations = new ArrayList<>();
    for (Invariant inv : invariants) {
      violations.addAll(inv.check());
    }
    List<Finding> findings = new ArrayList<>();
    if (o.failure() != null) {
      findings.add(failureFinding(o.failure(), s.cpuGhz()));
    }
    findings.addAll(p.scenario().findings().get());
    findings.addAll(EndChecks.findings(m, complete, s.cpuGhz()));

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
    // a run cut at a virtual time (the watchdog's check) reports that time: every shard ran up to it
    boolean cut = o.status() == TimeKeeper.Status.HUNG || o.status() == TimeKeeper.Status.TIME_LIMIT;
    return new RunResult(s, cut ? o.virtualTime() : m.virtualTime(), events, messages, grants, m.opStats(), LockClassStats.of(m), top,
        invariants.size(), violations, findings, complete, status(o, s), host,
        trace, dropped[0], p.scenario().extraResults().get(), o.failure());
  }

  /** results.json's {@code status}: how the run ended, and why when it stopped early. */
  static String status(TimeKeeper.Outcome o, RunSettings s) {
    return switch (o.status()) {
      case QUIESCENT -> "quiescent";
      case TIME_LIMIT -> "time_limit";
      case FAILED -> o.failure() instanceof SimulationFailure f && f.injected()
          ? "failed: injected actor crash in " + f.actor + " (vfiosim.faults.actor-crash)"
          : "failed: internal error: " + o.error();
      case STOPPED -> "stopped: " + (TimeKeeper.WALL_CLOCK_LIMIT.equals(o.error())
          ? "wall-clock limit of " + s.view().getLong("vfiosim.limits.wall-seconds")
              + " s reached (vfiosim.limits.wall-seconds)"
          : o.error());
      case HUNG -> "hung: lock waiters in a wait-for cycle for " + s.view().getLong("vfiosim.limits.hung-task-ms")
          + " ms of virtual time or more (vfiosim.limits.hung-task-ms)";
    };
  }

  /**
   * The BUG finding of a run a shard failed in: an injected actor crash names the actor, the
   * message its handler was given, the thread and the virtual time; an internal error (a bug in the
   * simulator) the same as far as known, and the exception.
   */
  static Finding failureFinding(Throwable e, double cpuGhz) {
    if (!(e instanceof SimulationFailure f)) {
      return new Finding(Finding.Kind.BUG, null, "simulator", "internal error: " + SimulationFailure.describe(e));
    }
    String where = f.actor == null ? f.function : f.actor + "/" + f.handling;
    String at = String.format(java.util.Locale.ROOT, "%s at %.3f us in %s", f.thread, f.time / (cpuGhz * 1000.0),
        f.function);
    String msg = f.injected()
        ? "actor " + f.actor + " threw while handling " + f.handling + " on " + at
            + " (injected fault); its shard was stopped, the run ended there"
        : "internal error " + (f.actor == null ? "" : "in actor " + f.actor + " handling " + f.handling + " ")
            + "on " + at + ": " + SimulationFailure.describe(f.getCause()) + "; its shard was stopped";
    return new Finding(Finding.Kind.BUG, vmOf(f.thread), where, msg);
  }

  /** The VM a thread belongs to ({@code vm3/qemu}, {@code vm3v0/vcpu}: vm3), or null. */
  private static String vmOf(String thread) {
    if (!thread.startsWith("vm")) {
      return null;
    }
    int i = 2;
    while (i < thread.length() && Character.isDigit(thread.charAt(i))) {
      i++;
    }
    return i > 2 ? thread.substring(0, i) : null;
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
