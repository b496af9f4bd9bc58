package org.vfiosim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.cli.CliTest.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study scenarios conf/scenarios/pin-storm.conf and hotplug-churn.conf, shortened, through the
 * CLI: what each generation's kernel paths make of them (README "Study scenarios").
 */
class StudyScenariosTest {
  @TempDir
  Path dir;

  private int runs;

  private JsonNode run(String scenario, String generation, String... sets) throws IOException {
    Path out = dir.resolve(scenario + "-" + runs++);
    List<String> args = new ArrayList<>(List.of("run", "conf/scenarios/" + scenario + ".conf", "--out", out.toString(),
        "--no-progress", "--set", "vfiosim.generation=" + generation, "--set", "vfiosim.fleet.duration-ms=20"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    CliTest.Result r = cli(args.toArray(new String[0]));
    assertThat(r.status()).as(r.err() + r.out()).isZero();
    JsonNode j = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(j.get("findings")).isEmpty();
    assertThat(j.get("invariants").get("violations")).isEmpty();
    return j;
  }

  private static JsonNode lock(JsonNode j, String cls) {
    return j.get("locks").path(cls);
  }

  @Test
  void pin_storm_queues_v5_6_on_the_global_group_lock_and_contig_pinning_gives_kvmgt_nothing() throws IOException {
    JsonNode v56 = run("pin-storm", "v5.6", "vfiosim.fleet.vms=16");
    JsonNode v510 = run("pin-storm", "v5.10", "vfiosim.fleet.vms=16");
    JsonNode contig = run("pin-storm", "v5.10-contig", "vfiosim.fleet.vms=16");
    // the same guests, so the same pins; v5.6 through vfio_pin_pages(dev), v5.10 through the group
    long pins = v510.get("ops").get("vfio_group_pin_pages").get("count").asLong();
    assertThat(pins).isPositive();
    assertThat(v56.get("ops").get("vfio_pin_pages").get("count").asLong()).isEqualTo(pins);
    // 2M GTT entries are pinned as 512 one-page pins: kvmgt never passes more than one page
    assertThat(v510.get("ops").get("kvmgt_dma_map_guest_page").get("by_pages").has("512")).isTrue();
    for (JsonNode j : List.of(v510, contig)) {
      assertThat(j.get("ops").get("vfio_group_pin_pages").get("by_pages").fieldNames()).toIterable().containsExactly("1");
    }
    // v5.6: vfio.group_lock on every pin and unpin, most of them contended; v5.10: only at open/release
    JsonNode g56 = lock(v56, "vfio.group_lock");
    assertThat(g56.get("acquisitions").asLong()).isGreaterThan(pins);
    assertThat(g56.get("contentions").asLong() * 2).isGreaterThan(g56.get("acquisitions").asLong());
    assertThat(lock(v510, "vfio.group_lock").get("acquisitions").asLong()).isLessThan(16 * 10);
    assertThat(v56.get("ops").get("vfio_pin_pages").get("mean_cycles").asDouble())
        .isGreaterThan(3 * v510.get("ops").get("vfio_group_pin_pages").get("mean_cycles").asDouble());
    // Xu's contiguous pinning: the same one-page pins, each through v1's bulk helper, a little dearer
    assertThat(contig.get("ops").get("vfio_group_pin_pages").get("count").asLong()).isEqualTo(pins);
    assertThat(contig.get("ops").get("vfio_group_pin_pages").get("mean_cycles").asDouble())
        .isGreaterThan(v510.get("ops").get("vfio_group_pin_pages").get("mean_cycles").asDouble());
  }

  @Test
  void hotplug_churn_fires_the_notifier_and_gtt_maps_into_the_unplugged_region_fail() throws IOException {
    for (String gen : List.of("v5.6", "v5.10")) {
      JsonNode j = run("hotplug-churn", gen, "vfiosim.fleet.vms=4");
      JsonNode unmap = j.get("ops").get("VFIO_IOMMU_UNMAP_DMA");
      // every 2 ms each VM unmaps the hot-plug region (and maps it back), plus guest RAM at shutdown
      assertThat(unmap.get("count").asLong()).as(gen).isGreaterThanOrEqualTo(4 * 10);
      // an UNMAP that finds kvmgt pins calls the notifier chain, which walks every 4K page of the
      // 128 MiB region
      assertThat(unmap.get("max_cycles").asLong()).as(gen).isGreaterThan(100 * unmap.get("p50_cycles").asLong());
      assertThat(lock(j, "&(&iommu->notifier)->rwsem-R").get("acquisitions").asLong()).as(gen).isPositive();
      // a GTT map into the region while it is unmapped: vfio pin finds no vfio_dma
      JsonNode map = j.get("ops").get("kvmgt_dma_map_guest_page");
      assertThat(map.path("errnos").path("-EINVAL").asLong()).as(gen).isPositive();
      assertThat(map.get("errors").asLong()).as(gen).isEqualTo(map.get("errnos").get("-EINVAL").asLong());
    }
  }
}
