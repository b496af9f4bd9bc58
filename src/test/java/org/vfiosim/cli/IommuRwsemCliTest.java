package org.vfiosim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.cli.CliTest.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vfiosim.variants.iommu-lock = rwsem} (Alex Williamson's RFC, Jan 2020) through the CLI:
 * the study scenarios run clean with it, it is deterministic, and a bad value is one line.
 */
class IommuRwsemCliTest {
  @TempDir
  Path dir;

  private int runs;

  private Path run(String scenario, String... extra) {
    Path out = dir.resolve(scenario + "-" + runs++);
    List<String> args = new ArrayList<>(List.of("run", "conf/scenarios/" + scenario + ".conf", "--out", out.toString(),
        "--no-progress", "--set", "vfiosim.fleet.duration-ms=10"));
    args.addAll(List.of(extra));
    CliTest.Result r = cli(args.toArray(new String[0]));
    assertThat(r.status()).as(r.err() + r.out()).isZero();
    return out;
  }

  private static JsonNode json(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("results.json").toFile());
  }

  @Test
  void the_study_scenarios_run_clean_with_the_rwsem_in_every_generation() throws IOException {
    for (String[] c : new String[][] {{"gvt-fleet", "v5.6"}, {"gvt-fleet", "v5.10"}, {"gvt-fleet", "v5.10-contig"},
        {"pin-storm", "v5.10"}, {"hotplug-churn", "v5.10"}, {"hotplug-churn", "v5.6"}}) {
      JsonNode j = json(run(c[0], "--set", "vfiosim.fleet.vms=4", "--set", "vfiosim.fleet.vgpus-per-vm=2",
          "--set", "vfiosim.generation=" + c[1], "--set", "vfiosim.variants.iommu-lock=rwsem"));
      String what = c[0] + " " + c[1];
      assertThat(j.get("findings")).as(what).isEmpty();
      assertThat(j.get("invariants").get("violations")).as(what).isEmpty();
      assertThat(j.get("invariants").get("checked").asInt()).as(what).isPositive();
      JsonNode iommu = j.get("locks").get("&iommu->lock-R");
      assertThat(iommu.get("kind").asText()).as(what).isEqualTo("rwsem-read");
      assertThat(iommu.get("acquisitions").asLong()).as(what).isPositive();
      assertThat(j.get("locks").get("&iommu->lock-W").get("acquisitions").asLong()).as(what).isPositive();
      assertThat(j.get("locks").has("&iommu->lock")).as(what).isFalse();
      JsonNode pfn = j.get("locks").get("&dma->pfn_list_lock");
      assertThat(pfn.get("kind").asText()).as(what).isEqualTo("mutex");
      assertThat(pfn.get("acquisitions").asLong()).as(what).isPositive();
      // one instance per vfio_dma made: guest RAM and the hot-plug region per VM, and every re-map
      assertThat(pfn.get("instances").asInt()).as(what).isGreaterThanOrEqualTo(4 * 2);
      assertThat(j.get("vms").get(0).get("iommu_lock").get("read").get("acquisitions").asLong()).isPositive();
    }
  }

  @Test
  void the_mutex_is_the_default_and_has_no_pfn_list_lock() throws IOException {
    JsonNode j = json(run("gvt-fleet", "--set", "vfiosim.fleet.vms=2"));
    assertThat(j.get("config").get("vfiosim").get("variants").get("iommu-lock").asText()).isEqualTo("mutex");
    assertThat(j.get("locks").get("&iommu->lock").get("kind").asText()).isEqualTo("mutex");
    assertThat(j.get("locks").has("&dma->pfn_list_lock")).isFalse();
    assertThat(j.get("vms").get(0).get("iommu_lock").has("read")).isFalse();
  }

  @Test
  void results_are_identical_for_one_and_two_threads() throws IOException {
    String[] common = {"--set", "vfiosim.fleet.vms=6", "--set", "vfiosim.fleet.vgpus-per-vm=2",
        "--set", "vfiosim.variants.iommu-lock=rwsem"};
    Path one = run("hotplug-churn", concat(common, "--threads", "1"));
    Path two = run("hotplug-churn", concat(common, "--threads", "2"));
    assertThat(CliTest.withoutHost(two.resolve("results.json"))).isEqualTo(CliTest.withoutHost(one.resolve("results.json")));
    for (String f : new String[] {"lock_stat", "perf-lock.txt", "ops.csv"}) {
      assertThat(Files.readString(two.resolve(f))).as(f).isEqualTo(Files.readString(one.resolve(f)));
    }
    assertThat(Files.readString(one.resolve("lock_stat"))).contains("&dma->pfn_list_lock").contains("&iommu->lock-R");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void a_bad_value_is_one_line_and_exit_2() {
    CliTest.Result r = cli("run", "--set", "vfiosim.variants.iommu-lock=rwlock", "--out", dir.resolve("x").toString(),
        "--no-progress");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err().strip().lines()).containsExactly("vfiosim: --set vfiosim.variants.iommu-lock=rwlock: "
        + "vfiosim.variants.iommu-lock must be one of mutex, rwsem, got 'rwlock'");
    assertThat(dir.resolve("x").resolve("results.json")).doesNotExist();
  }

  @Test
  void a_misspelt_key_and_a_variant_of_mutex_bench_are_errors() {
    CliTest.Result typo = cli("run", "--set", "vfiosim.variants.iommu_lock=rwsem", "--no-progress");
    assertThat(typo.status()).isEqualTo(2);
    assertThat(typo.err().strip().lines()).hasSize(1).first().asString().contains("unknown key 'vfiosim.variants.iommu_lock'");
    CliTest.Result bench = cli("run", "conf/scenarios/mutex-bench.conf", "--set", "vfiosim.variants.iommu-lock=rwsem",
        "--no-progress");
    assertThat(bench.status()).isEqualTo(2);
    assertThat(bench.err().strip().lines()).hasSize(1).first().asString()
        .contains("vfiosim.variants.iommu-lock is a variant of the VFIO model of scenario kind gvt-fleet, not of mutex-bench");
  }

  @Test
  void a_sweep_compares_the_two_locks() throws IOException {
    Path out = dir.resolve("sweep");
    CliTest.Result r = cli("sweep", "conf/scenarios/gvt-fleet.conf", "--param", "vfiosim.variants.iommu-lock=mutex,rwsem",
        "--set", "vfiosim.fleet.vms=2", "--set", "vfiosim.fleet.duration-ms=5", "--out", out.toString());
    assertThat(r.status()).as(r.err()).isZero();
    List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
    assertThat(csv).hasSize(3);
    assertThat(csv.get(0)).startsWith("vfiosim.variants.iommu-lock,").contains("&dma->pfn_list_lock.contentions");
    assertThat(csv.get(1)).startsWith("mutex,");
    assertThat(csv.get(2)).startsWith("rwsem,");
  }
}
