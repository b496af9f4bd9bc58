package org.vfiosim.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.vfiosim.run.Finding;
import org.vfiosim.run.RunResult;
import org.vfiosim.sim.LockClassStats;
import org.vfiosim.sim.LockKind;
import org.vfiosim.sim.LockModeStats;
import org.vfiosim.sim.OpStats;
import org.vfiosim.sim.SimLock;

/**
 * {@code report.html}: one self-contained page per run (inline style, charts as PNG data URIs,
 * no script, nothing fetched). Summary; per entry point a latency table and its log2 histogram,
 * as bpftrace's {@code hist()} prints it and as a bar chart; lock wait and hold totals by class;
 * the most waited-for lock instances; invariants and findings; the host.
 *
 * <p>Times are virtual cycles, with microseconds at {@code vfiosim.cpu-ghz} beside them. Apart from
 * the host section the page is a pure function of the result: the same run gives the same bytes.
 */
public final class HtmlReport {
  private HtmlReport() {}

  /** One lock_stat row of a class: the plain row, or an rwsem's {@code -W} and {@code -R} rows. */
  record ClassRow(String name, String kind, int instances, LockModeStats s) {}

  /** Rows in lock_stat order; rwsems as {@code NAME-W} then {@code NAME-R}, as results.json names them. */
  static List<ClassRow> classRows(List<LockClassStats> classes) {
    List<ClassRow> rows = new ArrayList<>();
    for (LockClassStats c : classes) {
      if (c.kind() == LockKind.RWSEM) {
        rows.add(new ClassRow(c.name() + "-W", "rwsem-write", c.instances(), c.write));
        rows.add(new ClassRow(c.name() + "-R", "rwsem-read", c.instances(), c.read));
      } else {
        rows.add(new ClassRow(c.name(), c.kind().perfName(), c.instances(), c.write));
      }
    }
    return rows;
  }

  public static String render(RunResult r) {
    var s = r.settings();
    double ghz = s.cpuGhz();
    StringBuilder sb = new StringBuilder(64 * 1024);
    Html.head(sb, "vfiosim: " + s.scenarioName() + " seed " + s.seed());
    sb.append("<h1>vfiosim run: ").append(Html.esc(s.scenarioName())).append(" (").append(Html.esc(s.kind()))
        .append("), generation ").append(Html.esc(s.generation())).append(", seed ").append(s.seed()).append("</h1>\n");
    summary(sb, r, ghz);
    fleet(sb, r, ghz);
    ops(sb, r, ghz);
    locks(sb, r, ghz);
    instances(sb, r, ghz);
    checks(sb, r);
    host(sb, r);
    Html.tail(sb);
    return sb.toString();
  }

  private static void summary(StringBuilder sb, RunResult r, double ghz) {
    var s = r.settings();
    sb.append("<table>\n");
    Html.kv(sb, "scenario", s.scenarioName() + " (kind " + s.kind() + ")");
    Html.kv(sb, "generation", s.generation());
    Html.kv(sb, "seed", Long.toString(s.seed()));
    Html.kv(sb, "cpu", String.format(Locale.ROOT, "%s GHz (vfiosim.cpu-ghz: cycles to time)", s.cpuGhz()));
    Html.kv(sb, "virtual time", Html.num(r.virtualTimeCycles()) + " cycles = " + Html.us(r.virtualTimeCycles(), ghz) + " µs");
    Html.kv(sb, "events", Html.num(r.events()) + " (" + Html.num(r.messages()) + " messages, " + Html.num(r.grants())
        + " lock grants)");
    Html.kv(sb, "lock acquisitions", Html.num(r.acquisitions()));
    sb.append("<tr><th>status</th><td class=\"t\">").append(Html.esc(r.status()));
    if (r.exitStatus() == 0) {
      sb.append(" <span class=\"ok\">(exit 0)</span>");
    } else {
      sb.append(" <span class=\"bad\">(exit ").append(r.exitStatus()).append(")</span>");
    }
    sb.append("</td></tr>\n</table>\n");
  }

  /** Rows of a per-GPU or per-VM table at most; the rest is in results.json. */
  private static final int FLEET_ROWS = 32;

  /** The gvt-fleet sections (results.json {@code fleet}, {@code gpus}, {@code vms}), when present. */
  @SuppressWarnings("unchecked")
  private static void fleet(StringBuilder sb, RunResult r, double ghz) {
    if (!(r.extra().get("fleet") instanceof Map<?, ?> f)) {
      return;
    }
    sb.append("<h2>GVT fleet</h2>\n<table>\n");
    Html.kv(sb, "VMs / vGPUs / GPUs", f.get("vms") + " / " + f.get("vgpus") + " / " + f.get("gpus") + " (" + f.get("engines_per_gpu")
        + " engine(s) per GPU)");
    double mean = ((Number) f.get("workload_mean_cycles")).doubleValue();
    Html.kv(sb, "GPU workloads", Html.num(((Number) f.get("workloads")).longValue()) + ", mean " + Html.dec1(mean) + " cycles ("
        + Html.us(mean, ghz) + " µs) from submission to completion");
    sb.append("</table>\n");
    Map<String, Object> split = (Map<String, Object>) f.get("workload_split_mean_cycles");
    List<String> phases = List.of("queued", "dispatch", "gpu", "complete");
    List<Double> us = new ArrayList<>();
    for (String ph : phases) {
      us.add(((Number) split.get(ph)).doubleValue() / ghz / 1000);
    }
    Html.img(sb, Charts.bars("Where a workload's time went (mean)", "phase", "µs", phases, us), "workload phases");
    sb.append("<p class=\"note\">queued: for the engine's workload thread (GVT's time-sliced scheduler); dispatch: "
        + "vgpu_lock, the command scan's guest reads and writes, populate_shadow_context; gpu: on the GPU; complete: "
        + "vgpu_lock and sched_lock, update_guest_context.</p>\n");

    List<Map<String, Object>> gpus = (List<Map<String, Object>>) r.extra().get("gpus");
    sb.append("<h3>GPUs</h3>\n<table>\n");
    Html.th(sb, "gpu", "vGPUs", "VMs", "workloads", "mean latency (µs)", "vGPU switches", "sched_lock acq",
        "contentions", "wait total (µs)");
    for (int i = 0; i < Math.min(FLEET_ROWS, gpus.size()); i++) {
      Map<String, Object> g = gpus.get(i);
      Map<String, Object> l = (Map<String, Object>) g.get("sched_lock");
      sb.append("<tr>");
      Html.td(sb, String.valueOf(g.get("name")));
      Html.tdn(sb, String.valueOf(g.get("vgpus")));
      Html.tdn(sb, String.valueOf(g.get("vms")));
      Html.tdn(sb, Html.num(((Number) g.get("workloads")).longValue()));
      Html.tdn(sb, Html.us(((Number) g.get("workload_mean_cycles")).doubleValue(), ghz));
      Html.tdn(sb, Html.num(((Number) g.get("vgpu_switches")).longValue()));
      Html.tdn(sb, Html.num(((Number) l.get("acquisitions")).longValue()));
      Html.tdn(sb, Html.num(((Number) l.get("contentions")).longValue()));
      Html.tdn(sb, Html.us(((Number) l.get("wait_total_cycles")).doubleValue(), ghz));
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
    if (gpus.size() > FLEET_ROWS) {
      sb.append("<p class=\"note\">The first ").append(FLEET_ROWS).append(" of ").append(gpus.size())
          .append(" GPUs; all are in results.json.</p>\n");
    }

    List<Map<String, Object>> vms = new ArrayList<>((List<Map<String, Object>>) r.extra().get("vms"));
    if (vms.size() <= 64) {
      List<String> names = new ArrayList<>();
      List<Double> lat = new ArrayList<>();
      for (Map<String, Object> vm : vms) {
        names.add(String.valueOf(vm.get("name")));
        lat.add(((Number) vm.get("workload_mean_cycles")).doubleValue() / ghz / 1000);
      }
      Html.img(sb, Charts.bars("Mean workload latency by VM", "VM", "µs", names, lat), "workload latency by VM");
    }
    vms.sort((a, b) -> Double.compare(((Number) b.get("workload_mean_cycles")).doubleValue(),
        ((Number) a.get("workload_mean_cycles")).doubleValue()));
    sb.append("<h3>VMs, slowest workloads first</h3>\n<table>\n");
    Html.th(sb, "vm", "GPUs", "workloads", "mean latency (µs)", "GTT maps", "map mean (cycles)", "GTT unmaps",
        "&iommu->lock wait (µs)", "errors");
    for (int i = 0; i < Math.min(FLEET_ROWS, vms.size()); i++) {
      Map<String, Object> vm = vms.get(i);
      Map<String, Object> l = (Map<String, Object>) vm.get("iommu_lock");
      sb.append("<tr>");
      Html.td(sb, String.valueOf(vm.get("name")));
      Html.td(sb, String.join(",", (List<String>) vm.get("gpus")));
      Html.tdn(sb, Html.num(((Number) vm.get("workloads")).longValue()));
      Html.tdn(sb, Html.us(((Number) vm.get("workload_mean_cycles")).doubleValue(), ghz));
      Html.tdn(sb, Html.num(((Number) vm.get("gtt_maps")).longValue()));
      Html.tdn(sb, Html.dec1(((Number) vm.get("gtt_map_mean_cycles")).doubleValue()));
      Html.tdn(sb, Html.num(((Number) vm.get("gtt_unmaps")).longValue()));
      Html.tdn(sb, Html.us(((Number) l.get("wait_total_cycles")).doubleValue(), ghz));
      Html.tdn(sb, Html.num(((Number) vm.get("errors")).longValue()));
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
    if (vms.size() > FLEET_ROWS) {
      sb.append("<p class=\"note\">The ").append(FLEET_ROWS).append(" slowest of ").append(vms.size())
          .append(" VMs; all are in results.json.</p>\n");
    }
  }

  private static void ops(StringBuilder sb, RunResult r, double ghz) {
    sb.append("<h2>Entry point latency</h2>\n");
    Map<String, OpStats> ops = new TreeMap<>(r.ops());
    if (ops.isEmpty()) {
      sb.append("<p>No entry point was called.</p>\n");
      return;
    }
    sb.append("<p class=\"note\">Virtual cycles from call to return, waits included (µs in brackets).</p>\n");
    sb.append("<table>\n");
    Html.th(sb, "op", "count", "errors", "mean", "p50", "p90", "p99", "min", "max");
    ops.forEach((name, o) -> {
      sb.append("<tr>");
      Html.td(sb, name);
      Html.tdn(sb, Html.num(o.count()));
      Html.tdn(sb, Html.num(o.errors()));
      Html.tdn(sb, Html.dec1(ResultsJson.round1(o.mean())) + " (" + Html.us(o.mean(), ghz) + ")");
      for (long v : new long[] {o.percentile(50), o.percentile(90), o.percentile(99), o.min(), o.max()}) {
        Html.tdn(sb, Html.num(v) + " (" + Html.us(v, ghz) + ")");
      }
      sb.append("</tr>\n");
    });
    sb.append("</table>\n");
    ops.forEach((name, o) -> {
      sb.append("<h3>").append(Html.esc(name)).append("</h3>\n");
      long[] b = Log2Hist.buckets(o.histogram());
      sb.append("<pre>").append(Html.esc(Log2Hist.render("@cycles[" + name + "]", b))).append("</pre>\n");
      int[] range = Log2Hist.range(b);
      if (range != null) {
        List<String> labels = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (int i = range[0]; i <= range[1]; i++) {
          labels.add(Log2Hist.label(i));
          counts.add(b[i]);
        }
        Html.img(sb, Charts.bars(name + " latency (log2 buckets)", "cycles", "calls", labels, counts),
            name + " latency histogram");
      }
    });
  }

  private static void locks(StringBuilder sb, RunResult r, double ghz) {
    sb.append("<h2>Lock classes</h2>\n");
    List<ClassRow> rows = classRows(r.lockClasses());
    if (rows.isEmpty()) {
      sb.append("<p>No lock was taken.</p>\n");
      return;
    }
    sb.append("<p class=\"note\">Summed over the instances of each class, in lock_stat order (contentions first). "
        + "Times in cycles (µs in brackets).</p>\n<table>\n");
    Html.th(sb, "class", "kind", "instances", "acquisitions", "contentions", "wait total", "wait max", "wait avg",
        "hold total", "hold max", "hold avg");
    for (ClassRow c : rows) {
      LockModeStats m = c.s();
      sb.append("<tr>");
      Html.td(sb, c.name());
      Html.td(sb, c.kind());
      Html.tdn(sb, Html.num(c.instances()));
      Html.tdn(sb, Html.num(m.acquisitions()));
      Html.tdn(sb, Html.num(m.contentions()));
      for (long v : new long[] {m.wait.total(), m.wait.max(), m.wait.avg(), m.hold.total(), m.hold.max(), m.hold.avg()}) {
        Html.tdn(sb, Html.num(v) + " (" + Html.us(v, ghz) + ")");
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
    List<String> names = new ArrayList<>();
    List<Double> waits = new ArrayList<>();
    List<Double> holds = new ArrayList<>();
    for (ClassRow c : rows) {
      names.add(c.name());
      waits.add(c.s().wait.total() / ghz / 1000.0);
      holds.add(c.s().hold.total() / ghz / 1000.0);
    }
    Html.img(sb, Charts.bars("lock wait total by class", "lock class", "wait total (µs)", names, waits),
        "lock wait total by class");
    Html.img(sb, Charts.bars("lock hold total by class", "lock class", "hold total (µs)", names, holds),
        "lock hold total by class");
  }

  private static void instances(StringBuilder sb, RunResult r, double ghz) {
    sb.append("<h2>Most waited-for lock instances</h2>\n");
    if (r.lockInstances().isEmpty()) {
      sb.append("<p>None.</p>\n");
      return;
    }
    sb.append("<table>\n");
    Html.th(sb, "class", "owner", "kind", "acquisitions", "contentions", "wait total", "wait max", "hold total",
        "hold max");
    for (SimLock l : r.lockInstances()) {
      LockModeStats w = l.writeStats();
      LockModeStats rd = l.readStats();
      sb.append("<tr>");
      Html.td(sb, l.cls.name);
      Html.td(sb, l.owner);
      Html.td(sb, l.cls.kind.perfName());
      Html.tdn(sb, Html.num(w.acquisitions() + (rd == null ? 0 : rd.acquisitions())));
      Html.tdn(sb, Html.num(w.contentions() + (rd == null ? 0 : rd.contentions())));
      long[] v = {
        w.wait.total() + (rd == null ? 0 : rd.wait.total()), Math.max(w.wait.max(), rd == null ? 0 : rd.wait.max()),
        w.hold.total() + (rd == null ? 0 : rd.hold.total()), Math.max(w.hold.max(), rd == null ? 0 : rd.hold.max())
      };
      for (long x : v) {
        Html.tdn(sb, Html.num(x) + " (" + Html.us(x, ghz) + ")");
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
  }

  private static void checks(StringBuilder sb, RunResult r) {
    sb.append("<h2>Invariants</h2>\n<p>").append(r.invariantsChecked()).append(" checked, ");
    if (r.violations().isEmpty()) {
      sb.append("<span class=\"ok\">none violated</span>.</p>\n");
    } else {
      sb.append("<span class=\"bad\">").append(r.violations().size()).append(" violated</span>:</p>\n<ul>\n");
      for (String v : r.violations()) {
        sb.append("<li class=\"t\">").append(Html.esc(v)).append("</li>\n");
      }
      sb.append("</ul>\n");
    }
    sb.append("<h2>Findings</h2>\n");
    if (r.findings().isEmpty()) {
      sb.append("<p>None.</p>\n");
      return;
    }
    sb.append("<table>\n");
    Html.th(sb, "kind", "vm", "where", "message");
    for (Finding f : r.findings()) {
      sb.append("<tr><td class=\"t").append(f.kind().failsRun() ? " bad" : "").append("\">")
          .append(f.kind().name()).append("</td>");
      Html.td(sb, f.vm() == null ? "host" : f.vm());
      Html.td(sb, f.where());
      Html.td(sb, f.message());
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
  }

  private static void host(StringBuilder sb, RunResult r) {
    var h = r.host();
    sb.append("<h2>Host</h2>\n<p class=\"note\">Machine-dependent; the only part of this page that changes "
        + "between two runs of the same scenario and seed.</p>\n<table>\n");
    Html.kv(sb, "simulation wall time", h.wallMs() + " ms (+" + h.engineOverheadMs() + " ms engine start/stop)");
    Html.kv(sb, "rates", String.format(Locale.ROOT, "%.2f M events/s, %.2f M lock acquisitions/s", h.eventsPerSec() / 1e6,
        h.acquisitionsPerSec() / 1e6));
    Html.kv(sb, "engine", h.threads() + " thread(s), " + h.shards() + " shard(s), " + h.windows() + " windows");
    Html.kv(sb, "peak heap", h.peakHeapMb() + " MB");
    sb.append("</table>\n");
  }
}
