package org.vfiosim.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigRenderOptions;
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
 * {@code results.json} (contract: {@code results-schema.md}, schema {@code vfiosim/results/v1}).
 * Keys are written in a fixed order and every value outside {@code host} depends only on the
 * scenario, cost model and seed, so two runs give byte-identical files apart from {@code host}.
 */
public final class ResultsJson {
  public static final String SCHEMA = "vfiosim/results/v1";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ResultsJson() {}

  public static String render(RunResult r) {
    try {
      return JSON.writeValueAsString(tree(r)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ObjectNode tree(RunResult r) {
    ObjectNode root = JSON.createObjectNode();
    var s = r.settings();
    root.put("schema", SCHEMA);
    root.put("scenario", s.scenarioName());
    root.put("kind", s.kind());
    root.put("generation", s.generation());
    root.put("seed", s.seed());
    root.put("cpu_ghz", s.cpuGhz());
    root.put("complete", r.complete());
    root.put("status", r.status());
    ObjectNode config = root.putObject("config");
    config.set("vfiosim", parse(s.config().getConfig("vfiosim").root().render(ConfigRenderOptions.concise())));
    config.set("costs", parse(s.costs().getConfig("costs").root().render(ConfigRenderOptions.concise())));
    root.put("virtual_time_cycles", r.virtualTimeCycles());
    root.put("events", r.events());
    root.put("messages", r.messages());
    root.put("lock_grants", r.grants());

    ObjectNode ops = root.putObject("ops");
    new TreeMap<>(r.ops()).forEach((name, o) -> ops.set(name, op(o)));

    ObjectNode locks = root.putObject("locks");
    Map<String, ObjectNode> rows = new TreeMap<>();
    for (LockClassStats c : r.lockClasses()) {
      if (c.kind() == LockKind.RWSEM) {
        rows.put(c.name() + "-R", lockRow("rwsem-read", c.instances(), c.read));
        rows.put(c.name() + "-W", lockRow("rwsem-write", c.instances(), c.write));
      } else {
        rows.put(c.name(), lockRow(c.kind().perfName(), c.instances(), c.write));
      }
    }
    rows.forEach(locks::set);

    ArrayNode inst = root.putArray("lock_instances");
    for (SimLock l : r.lockInstances()) {
      ObjectNode n = inst.addObject();
      n.put("class", l.cls.name);
      n.put("owner", l.owner);
      n.put("kind", l.cls.kind.perfName());
      LockModeStats w = l.writeStats();
      LockModeStats rd = l.readStats();
      n.put("acquisitions", w.acquisitions() + (rd == null ? 0 : rd.acquisitions()));
      n.put("contentions", w.contentions() + (rd == null ? 0 : rd.contentions()));
      n.put("wait_total_cycles", w.wait.total() + (rd == null ? 0 : rd.wait.total()));
      n.put("wait_max_cycles", Math.max(w.wait.max(), rd == null ? 0 : rd.wait.max()));
      n.put("hold_total_cycles", w.hold.total() + (rd == null ? 0 : rd.hold.total()));
      n.put("hold_max_cycles", Math.max(w.hold.max(), rd == null ? 0 : rd.hold.max()));
    }

    r.extra().forEach((key, value) -> root.set(key, JSON.valueToTree(value)));

    ObjectNode inv = root.putObject("invariants");
    inv.put("checked", r.invariantsChecked());
    ArrayNode viol = inv.putArray("violations");
    r.violations().forEach(viol::add);

    ArrayNode findings = root.putArray("findings");
    for (Finding f : r.findings()) {
      ObjectNode n = findings.addObject();
      n.put("kind", f.kind().name());
      if (f.vm() == null) {
        n.putNull("vm");
      } else {
        n.put("vm", f.vm());
      }
      n.put("where", f.where());
      n.put("message", f.message());
    }

    ObjectNode host = root.putObject("host");
    var h = r.host();
    host.put("wall_ms", h.wallMs());
    host.put("engine_overhead_ms", h.engineOverheadMs());
    host.put("events_per_sec", Math.round(h.eventsPerSec()));
    host.put("lock_acquisitions_per_sec", Math.round(h.acquisitionsPerSec()));
    host.put("threads", h.threads());
    host.put("shards", h.shards());
    host.put("windows", h.windows());
    host.put("peak_heap_mb", h.peakHeapMb());
    return root;
  }

  private static ObjectNode op(OpStats o) {
    ObjectNode n = JSON.createObjectNode();
    n.put("count", o.count());
    n.put("errors", o.errors());
    Map<String, Long> errnos = o.errnos();
    if (!errnos.isEmpty()) { // failed calls by errno (BUG: the call hit the kernel's BUG())
      ObjectNode e = n.putObject("errnos");
      errnos.forEach(e::put);
    }
    n.put("mean_cycles", round1(o.mean()));
    n.put("p50_cycles", o.percentile(50));
    n.put("p90_cycles", o.percentile(90));
    n.put("p99_cycles", o.percentile(99));
    n.put("max_cycles", o.max());
    n.put("total_cycles", o.totalCycles());
    Map<Long, long[]> pages = o.byPages();
    if (pages.keySet().stream().anyMatch(p -> p > 0)) {
      ObjectNode bp = n.putObject("by_pages");
      pages.forEach((p, v) -> {
        ObjectNode e = bp.putObject(Long.toString(p));
        e.put("count", v[0]);
        e.put("mean_cycles", round1((double) v[1] / v[0]));
      });
    }
    return n;
  }

  private static ObjectNode lockRow(String kind, int instances, LockModeStats s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", kind);
    n.put("instances", instances);
    n.put("acquisitions", s.acquisitions());
    n.put("contentions", s.contentions());
    n.put("wait_total_cycles", s.wait.total());
    n.put("wait_max_cycles", s.wait.max());
    n.put("wait_min_cycles", s.wait.min());
    n.put("hold_total_cycles", s.hold.total());
    n.put("hold_max_cycles", s.hold.max());
    n.put("hold_min_cycles", s.hold.min());
    n.put("con_bounces", s.conBounces());
    n.put("acq_bounces", s.acqBounces());
    return n;
  }

  public static double round1(double v) {
    return Math.round(v * 10.0) / 10.0;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
