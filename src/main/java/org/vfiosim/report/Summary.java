package org.vfiosim.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.vfiosim.run.Finding;
import org.vfiosim.run.RunResult;
import org.vfiosim.sim.LockClassStats;
import org.vfiosim.sim.OpStats;

/** The short text summary {@code vfiosim run} prints: where time went, top locks, op latencies. */
public final class Summary {
  private static final int TOP_LOCKS = 8;

  private Summary() {}

  public static String render(RunResult r, String outDir) {
    var s = r.settings();
    double ghz = s.cpuGhz();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "vfiosim run: %s (%s), generation %s, seed %d%n", s.scenarioName(), s.kind(),
        s.generation(), s.seed()));
    sb.append(String.format(Locale.ROOT, "virtual time %,d cycles (%s at %.1f GHz), %,d events (%,d messages, %,d lock grants)%n",
        r.virtualTimeCycles(), human(r.virtualTimeCycles() / ghz), ghz, r.events(), r.messages(), r.grants()));
    if (!r.complete()) {
      sb.append("RUN INCOMPLETE: ").append(r.status()).append('\n');
    }

    whereTimeWent(sb, r, ghz);

    List<LockClassStats> locks = new ArrayList<>(r.lockClasses());
    // most contended first; among equals, the most waited-for, then the most used
    locks.sort(Comparator.comparingLong(LockClassStats::contentions).reversed()
        .thenComparing(Comparator.comparingLong(LockClassStats::waitTotal).reversed())
        .thenComparing(Comparator.comparingLong(LockClassStats::acquisitions).reversed())
        .thenComparing(LockClassStats::name));
    if (!locks.isEmpty()) {
      sb.append("\nlocks (top by contentions)       acquisitions   contentions     wait total      wait max   hold total\n");
      for (int i = 0; i < Math.min(TOP_LOCKS, locks.size()); i++) {
        LockClassStats c = locks.get(i);
        long acq = c.acquisitions();
        long waitTotal = c.waitTotal();
        long waitMax = Math.max(c.write.wait.max(), c.read == null ? 0 : c.read.wait.max());
        long hold = c.write.hold.total() + (c.read == null ? 0 : c.read.hold.total());
        sb.append(String.format(Locale.ROOT, "  %-30s %13s %13s %14s %13s %12s%n", trim(c.name(), 30), num(acq),
            num(c.contentions()), human(waitTotal / ghz), human(waitMax / ghz), human(hold / ghz)));
      }
    }

    Map<String, OpStats> ops = new TreeMap<>(r.ops());
    if (!ops.isEmpty()) {
      sb.append("\nop latencies (cycles)                  count    errors        mean        p50        p99        max\n");
      ops.forEach((name, o) -> sb.append(String.format(Locale.ROOT, "  %-30s %13s %9s %11.1f %10d %10d %10d%n",
          trim(name, 30), num(o.count()), num(o.errors()), o.mean(), o.percentile(50), o.percentile(99), o.max())));
    }

    sb.append(String.format(Locale.ROOT, "%ninvariants: %d checked, %d violated%n", r.invariantsChecked(),
        r.violations().size()));
    for (String v : r.violations()) {
      sb.append("  VIOLATION ").append(v).append('\n');
    }
    if (r.findings().isEmpty()) {
      sb.append("findings: none\n");
    } else {
      sb.append("findings:\n");
      for (Finding f : r.findings()) {
        String m = f.message();
        if (f.kind() == Finding.Kind.LOCK_ORDER) {
          // lockdep's layout: the headline, then each order with its first stack on a line of its own
          m = m.replaceFirst("^possible circular locking dependency: ", "possible circular locking dependency:\n    ")
              .replace("; then ", "\n    then ");
        }
        sb.append(String.format(Locale.ROOT, "  %-10s %s%s: %s%n", f.kind(), f.vm() == null ? "" : f.vm() + " ",
            f.where(), m));
      }
    }
    var h = r.host();
    sb.append(String.format(Locale.ROOT,
        "host: %d thread(s), %d shard(s), simulation %.2f s (+%.2f s engine start/stop), %.2f M events/s, %.2f M lock acquisitions/s%n",
        h.threads(), h.shards(), h.wallMs() / 1000.0, h.engineOverheadMs() / 1000.0, h.eventsPerSec() / 1e6,
        h.acquisitionsPerSec() / 1e6));
    if (outDir != null) {
      sb.append("outputs: ").append(outDir).append("/{results.json,lock_stat,perf-lock.txt,ops.csv,report.html"
          + (r.trace() == null ? "" : ",trace.json") + "}\n");
    }
    return sb.toString().replace(System.lineSeparator(), "\n");
  }

  /**
   * Where time went: for a GVT fleet, a workload's mean latency split into its phases; for every
   * run, the entry points that took the most virtual time in total (a nested call's time also
   * counts in its caller's) and the share of it spent waiting for locks.
   */
  @SuppressWarnings("unchecked")
  private static void whereTimeWent(StringBuilder sb, RunResult r, double ghz) {
    List<OpStats> ops = new ArrayList<>(r.ops().values());
    ops.removeIf(o -> o.count() == 0);
    Object fleet = r.extra().get("fleet");
    if (ops.isEmpty() && fleet == null) {
      return;
    }
    sb.append("\nwhere time went\n");
    if (fleet instanceof Map<?, ?> fm && fm.get("workload_split_mean_cycles") instanceof Map<?, ?> split) {
      double mean = ((Number) fm.get("workload_mean_cycles")).doubleValue();
      sb.append(String.format(Locale.ROOT, "  GPU workloads: %s completed, mean %s from submission to completion:%n",
          num(((Number) fm.get("workloads")).longValue()), human(mean / ghz)));
      String[][] phases = {{"queued", "queued for the engine's workload thread"},
          {"dispatch", "dispatch (vgpu_lock, scan, populate_shadow_context)"},
          {"gpu", "on the GPU"}, {"complete", "completion (vgpu_lock, sched_lock, update_guest_context)"}};
      for (String[] ph : phases) {
        double v = ((Number) ((Map<String, Object>) split).get(ph[0])).doubleValue();
        sb.append(String.format(Locale.ROOT, "    %-58s %10s %5.1f %%%n", ph[1], human(v / ghz),
            mean == 0 ? 0.0 : 100.0 * v / mean));
      }
    }
    if (fleet != null) {
      ops.removeIf(o -> o.name.equals("gvt_workload")); // shown above, phase by phase
    }
    if (!ops.isEmpty()) {
      ops.sort(Comparator.comparingLong(OpStats::totalCycles).reversed().thenComparing(o -> o.name));
      long lockWait = 0;
      for (LockClassStats c : r.lockClasses()) {
        lockWait += c.waitTotal();
      }
      sb.append(String.format(Locale.ROOT, "  entry points by total time (lock waits, all classes: %s)%n",
          human(lockWait / ghz)));
      for (int i = 0; i < Math.min(5, ops.size()); i++) {
        OpStats o = ops.get(i);
        sb.append(String.format(Locale.ROOT, "    %-30s %13s calls %12s total %12s mean%n", trim(o.name, 30),
            num(o.count()), human(o.totalCycles() / ghz), human(o.mean() / ghz)));
      }
    }
  }

  /** Nanoseconds as a short human figure: 950 ns, 12.3 us, 4.56 ms, 1.23 s. */
  static String human(double ns) {
    if (ns < 1_000) {
      return String.format(Locale.ROOT, "%.0f ns", ns);
    }
    if (ns < 1_000_000) {
      return String.format(Locale.ROOT, "%.1f us", ns / 1e3);
    }
    if (ns < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
  }

  private static String num(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  private static String trim(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "~";
  }
}
