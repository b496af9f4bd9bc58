package org.vfiosim.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vfiosim.report.ResultsJson;
import org.vfiosim.run.RunResult;
import org.vfiosim.run.Runner;
import org.vfiosim.sim.LockClassStats;

/**
 * The gvt-fleet scenario end to end: conservation (every workload completes, teardown leaves
 * nothing pinned or held), determinism across threads and layouts, and the qualitative facts the
 * users ask about (v5.6 vs v5.10 group lookups, sched_lock contention, independent streams).
 */
class GvtFleetTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static RunResult run(int threads, String... sets) {
    List<String> all = new ArrayList<>();
    for (String s : sets) {
      all.add("vfiosim.fleet." + s);
    }
    Runner.Prepared p = Runner.prepare(Path.of("."), Path.of("conf/scenarios/gvt-fleet.conf"), fixGeneration(all),
        null, null);
    return Runner.run(p, threads, null);
  }

  /** "generation=v5.6" given among the fleet settings is the run's vfiosim.generation. */
  private static List<String> fixGeneration(List<String> sets) {
    List<String> out = new ArrayList<>();
    for (String s : sets) {
      out.add(s.replace("vfiosim.fleet.generation", "vfiosim.generation")
          .replace("vfiosim.fleet.engine.", "vfiosim.engine."));
    }
    return out;
  }

  private static JsonNode results(RunResult r) {
    ObjectNode n = ResultsJson.tree(r);
    n.remove("host");
    n.remove("config"); // names the engine settings the comparisons vary
    return n;
  }

  private static long acquisitions(RunResult r, String cls) {
    for (LockClassStats c : r.lockClasses()) {
      if (c.name().equals(cls)) {
        return c.write.acquisitions() + (c.read == null ? 0 : c.read.acquisitions());
      }
    }
    return 0;
  }

  private static long contentions(RunResult r, String cls) {
    for (LockClassStats c : r.lockClasses()) {
      if (c.name().equals(cls)) {
        return c.contentions();
      }
    }
    return 0;
  }

  @ParameterizedTest(name = "{0} VMs x {1} vGPUs, {2}, churn {3} ms")
  @CsvSource({"1, 1, v5.10, 0", "4, 1, v5.10, 0", "16, 1, v5.10, 0", "4, 2, v5.10, 3", "6, 1, v5.6, 0",
      "5, 2, v5.6, 4", "6, 1, v5.10-contig, 2"})
  void every_workload_completes_and_teardown_leaves_nothing_behind(int vms, int vgpusPerVm, String gen,
      double churnMs) {
    RunResult r = run(2, "vms=" + vms, "vgpus-per-vm=" + vgpusPerVm, "duration-ms=8", "generation=" + gen,
        "churn-interval-ms=" + churnMs, "vgpus-per-gpu=4");
    assertThat(r.complete()).as(r.status()).isTrue();
    assertThat(r.violations()).isEmpty();
    assertThat(r.findings()).isEmpty();
    // the fleet's own, the kernel model's and the teardown invariants, plus the engine's
    assertThat(r.invariantsChecked()).isGreaterThanOrEqualTo(10);

    JsonNode res = results(r);
    long vgpus = (long) vms * vgpusPerVm;
    long workloads = res.get("fleet").get("workloads").asLong();
    assertThat(workloads).isPositive();
    assertThat(r.ops().get("gvt_workload").count()).isEqualTo(workloads);
    assertThat(r.ops().get("populate_shadow_context").count()).isEqualTo(workloads);
    assertThat(r.ops().get("intel_vgpu_open").count()).isEqualTo(vgpus);
    assertThat(r.ops().get("intel_vgpu_release").count()).isEqualTo(vgpus);
    long maps = r.ops().get("VFIO_IOMMU_MAP_DMA").count();
    long unmaps = r.ops().get("VFIO_IOMMU_UNMAP_DMA").count();
    if (churnMs == 0) {
      assertThat(maps).isEqualTo(2L * vms); // guest RAM and the hot-plug region
    } else {
      assertThat(maps).isGreaterThan(2L * vms);
    }
    assertThat(unmaps).isEqualTo(maps); // everything mapped is unmapped at shutdown
    assertThat(res.get("vms")).hasSize(vms);
    long sum = 0;
    for (JsonNode vm : res.get("vms")) {
      assertThat(vm.get("errors").asLong()).isZero();
      assertThat(vm.get("shutdown_cycles").asLong()).isPositive();
      sum += vm.get("workloads").asLong();
    }
    assertThat(sum).isEqualTo(workloads);
    // the four phases of a workload add up to its mean latency (each rounded to 0.1 cycle)
    JsonNode split = res.get("fleet").get("workload_split_mean_cycles");
    double parts = split.get("queued").asDouble() + split.get("dispatch").asDouble() + split.get("gpu").asDouble()
        + split.get("complete").asDouble();
    assertThat(parts).isCloseTo(res.get("fleet").get("workload_mean_cycles").asDouble(),
        org.assertj.core.api.Assertions.within(0.5));
  }

  @Test
  void same_results_for_any_thread_count_layout_and_window() {
    String[] base = {"vms=12", "duration-ms=6", "vgpus-per-gpu=4", "churn-interval-ms=2"};
    JsonNode reference = results(run(1, cat(base, "engine.shards=1")));
    assertThat(results(run(1, base))).isEqualTo(reference);
    assertThat(results(run(2, base))).isEqualTo(reference);
    assertThat(results(run(4, base))).isEqualTo(reference);
    assertThat(results(run(2, cat(base, "engine.shards=2")))).isEqualTo(reference);
    assertThat(results(run(2, cat(base, "engine.max-window-cycles=5000")))).isEqualTo(reference);
    assertThat(results(run(2, cat(base, "engine.parallel-events=0")))).isEqualTo(reference);
  }

  @Test
  void v5_6_looks_groups_up_on_every_pin_v5_10_only_at_open_and_release() {
    String hits = "gtt-hit-ratio=0.5"; // more cache misses: more pins
    long v510short = acquisitions(run(2, "vms=4", "duration-ms=4", hits), "vfio.group_lock");
    long v510long = acquisitions(run(2, "vms=4", "duration-ms=12", hits), "vfio.group_lock");
    long v510more = acquisitions(run(2, "vms=8", "duration-ms=4", hits), "vfio.group_lock");
    // v5.10: the same lookups per vGPU at open and release, whatever the run's length
    assertThat(v510short).isPositive().isEqualTo(v510long);
    assertThat(v510more).isEqualTo(2 * v510short);

    long v56short = acquisitions(run(2, "vms=4", "duration-ms=4", hits, "generation=v5.6"), "vfio.group_lock");
    long v56long = acquisitions(run(2, "vms=4", "duration-ms=12", hits, "generation=v5.6"), "vfio.group_lock");
    long v56more = acquisitions(run(2, "vms=8", "duration-ms=4", hits, "generation=v5.6"), "vfio.group_lock");
    // v5.6: a lookup per vfio_pin_pages / vfio_unpin_pages call, so they grow with time and VMs
    assertThat(v56short).isGreaterThan(v510short);
    assertThat(v56long).isGreaterThan(v56short);
    assertThat(v56more).isGreaterThan(v56short);
  }

  @Test
  void sched_lock_contention_grows_with_vgpus_per_gpu() {
    // The same 16 vGPUs and workloads spread over 16, 4 and 1 GPUs: each GPU's sched_lock is
    // shared by more submitters, so a larger share of its acquisitions waits, and waits longer in
    // all (while the acquisitions fall: fewer GPUs, fewer tbs timer ticks).
    double[] share = new double[3];
    long[] waited = new long[3];
    long[] workloads = new long[3];
    int[] perGpu = {1, 4, 16};
    for (int i = 0; i < 3; i++) {
      RunResult r = run(2, "vms=16", "duration-ms=6", "workload-rate-hz=1000", "vgpus-per-gpu=" + perGpu[i]);
      LockClassStats c = lockClass(r, "&gvt->sched_lock");
      share[i] = (double) c.contentions() / (c.write.acquisitions());
      waited[i] = c.write.wait.total();
      workloads[i] = results(r).get("fleet").get("workloads").asLong();
    }
    assertThat(workloads[1]).isEqualTo(workloads[0]);
    assertThat(workloads[2]).isEqualTo(workloads[0]);
    assertThat(share[1]).isGreaterThan(share[0]);
    assertThat(share[2]).isGreaterThan(share[1]);
    assertThat(waited[1]).isGreaterThan(waited[0]);
    assertThat(waited[2]).isGreaterThan(waited[1]);
  }

  private static LockClassStats lockClass(RunResult r, String cls) {
    for (LockClassStats c : r.lockClasses()) {
      if (c.name().equals(cls)) {
        return c;
      }
    }
    throw new AssertionError("no lock class " + cls);
  }

  @Test
  void adding_a_vm_does_not_change_another_vms_actions() {
    JsonNode three = results(run(2, "vms=3", "duration-ms=5", "vgpus-per-gpu=2")).get("vms");
    JsonNode four = results(run(2, "vms=4", "duration-ms=5", "vgpus-per-gpu=2")).get("vms");
    JsonNode regrouped = results(run(2, "vms=4", "duration-ms=5", "vgpus-per-gpu=4")).get("vms");
    for (int i = 0; i < 3; i++) {
      String digest = three.get(i).get("actions_digest").asText();
      assertThat(four.get(i).get("actions_digest").asText()).as("vm" + i).isEqualTo(digest);
      assertThat(regrouped.get(i).get("actions_digest").asText()).as("vm" + i).isEqualTo(digest);
    }
    // and the streams of different VMs differ
    assertThat(four.get(3).get("actions_digest").asText()).isNotEqualTo(four.get(0).get("actions_digest").asText());
    // a different seed changes them
    Runner.Prepared other = Runner.prepare(Path.of("."), Path.of("conf/scenarios/gvt-fleet.conf"),
        List.of("vfiosim.fleet.vms=3", "vfiosim.fleet.duration-ms=5", "vfiosim.fleet.vgpus-per-gpu=2"), 99L, null);
    JsonNode seeded = results(Runner.run(other, 2, null)).get("vms");
    assertThat(seeded.get(0).get("actions_digest").asText()).isNotEqualTo(three.get(0).get("actions_digest").asText());
  }

  @Test
  void vgpus_of_a_vm_land_on_different_gpus_and_the_report_shows_the_fleet() {
    RunResult r = run(2, "vms=4", "vgpus-per-vm=2", "vgpus-per-gpu=4", "duration-ms=2");
    String html = org.vfiosim.report.HtmlReport.render(r);
    assertThat(html).contains("<h2>GVT fleet</h2>").contains("<td class=\"t\">gpu1</td>").contains("<td class=\"t\">vm3</td>")
        .contains("<td class=\"t\">gpu0,gpu1</td>").contains("queued: for the engine").doesNotContain("http://")
        .doesNotContain("https://");
    JsonNode res = results(r);
    assertThat(res.get("fleet").get("gpus").asInt()).isEqualTo(2);
    for (JsonNode vm : res.get("vms")) {
      assertThat(vm.get("gpus")).hasSize(2);
    }
    for (JsonNode g : res.get("gpus")) {
      assertThat(g.get("vgpus").asInt()).isEqualTo(4);
      assertThat(g.get("workloads").asLong()).isPositive();
    }
  }

  private static String[] cat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
