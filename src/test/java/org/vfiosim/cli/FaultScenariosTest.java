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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fault scenarios of conf/scenarios/faults-*.conf run through the CLI: exit status, findings
 * (kind, function, VM), per-op errno counts, invariants, and what results.json {@code faults}
 * says each fault did.
 */
class FaultScenariosTest {
  @TempDir
  Path dir;

  private int runs;

  private JsonNode run(String scenario, int expectStatus, String... extra) throws IOException {
    Path out = dir.resolve(scenario + "-" + runs++);
    List<String> args = new ArrayList<>(List.of("run", "conf/scenarios/" + scenario + ".conf", "--out", out.toString(),
        "--no-progress"));
    args.addAll(List.of(extra));
    CliTest.Result r = cli(args.toArray(new String[0]));
    assertThat(r.status()).as(r.err() + r.out()).isEqualTo(expectStatus);
    return new ObjectMapper().readTree(out.resolve("results.json").toFile());
  }

  private static long errno(JsonNode j, String op, String errno) {
    JsonNode e = j.get("ops").path(op).path("errnos").path(errno);
    return e.isMissingNode() ? 0 : e.asLong();
  }

  @Test
  void buggy_vendor_driver_ends_in_the_unmap_loop_bug() throws IOException {
    JsonNode j = run("faults-buggy-vendor", 1);
    JsonNode findings = j.get("findings");
    assertThat(findings).hasSize(1);
    assertThat(findings.get(0).get("kind").asText()).isEqualTo("BUG");
    assertThat(findings.get(0).get("where").asText()).isEqualTo("vfio_dma_do_unmap");
    assertThat(findings.get(0).get("vm").asText()).isEqualTo("vm0");
    // the hot-plug region (iova 4G - 128M) is the dma whose pins the driver would not drop
    assertThat(findings.get(0).get("message").asText()).contains("iova 0xf8000000").contains("11 DMA_UNMAP");
    JsonNode f = j.get("faults").get("buggy_vendor").get(0);
    assertThat(f.get("vgpu").asText()).isEqualTo("vm0v0");
    assertThat(f.get("notifier_calls").asLong()).isEqualTo(11);
    assertThat(f.get("container_bug").asBoolean()).isTrue();
    // the UNMAP that hit BUG returns BUG; vm0's later calls into its container too
    assertThat(errno(j, "VFIO_IOMMU_UNMAP_DMA", "BUG")).isGreaterThanOrEqualTo(1);
    assertThat(errno(j, "vfio_dma_rw", "BUG")).isPositive();
    assertThat(j.get("invariants").get("violations")).isEmpty();
    // vm1's driver unpins: it churned and shut down without an error of its container
    JsonNode vm1 = j.get("vms").get(1);
    assertThat(vm1.get("name").asText()).isEqualTo("vm1");
    assertThat(vm1.get("shutdown_cycles").asLong()).isPositive();
  }

  @Test
  void the_same_churn_with_a_correct_driver_has_no_bug() throws IOException {
    JsonNode j = run("faults-buggy-vendor", 0, "--set", "vfiosim.faults.buggy-vendor.vgpus=[]");
    assertThat(j.get("findings")).isEmpty();
    assertThat(j.get("invariants").get("violations")).isEmpty();
    assertThat(j.has("faults")).isFalse();
    assertThat(errno(j, "VFIO_IOMMU_UNMAP_DMA", "BUG")).isZero();
  }

  @Test
  void qemu_crash_closes_everything_without_a_leak() throws IOException {
    JsonNode j = run("faults-qemu-crash", 0);
    assertThat(j.get("findings")).isEmpty();
    assertThat(j.get("invariants").get("violations")).isEmpty();
    JsonNode c = j.get("faults").get("qemu_crash").get(0);
    assertThat(c.get("vm").asText()).isEqualTo("vm1");
    // at-ms counts from the end of the VM's boot, as duration-ms does (QEMU starts at 0)
    assertThat(c.get("crash_cycles").asLong()).isEqualTo(j.get("vms").get(1).get("boot_cycles").asLong() + 8L * 3_000_000);
    assertThat(c.get("pinned_pages_at_exit").asLong()).isPositive(); // there was something to clean up
    assertThat(c.get("locked_vm_at_exit").asLong()).isEqualTo(c.get("pinned_pages_at_exit").asLong());
    assertThat(c.get("pinned_pages_after_close").asLong()).isZero();
    assertThat(c.get("mappings_after_close").asLong()).isZero();
    assertThat(c.get("fds_closed_cycles").asLong()).isGreaterThan(c.get("crash_cycles").asLong());
    // the crashed QEMU issued no teardown ioctl: only vm0 unset its container
    assertThat(j.get("ops").get("VFIO_GROUP_UNSET_CONTAINER").get("count").asLong()).isEqualTo(1);
    // the rest of the fleet goes on to the end; the crashed guest stopped at 8 ms
    JsonNode vm0 = j.get("vms").get(0);
    JsonNode vm1 = j.get("vms").get(1);
    assertThat(vm0.get("workloads").asLong()).isGreaterThan(vm1.get("workloads").asLong());
    assertThat(vm1.get("workloads").asLong()).isPositive();
  }

  @Test
  void qemu_crash_during_a_workload_fails_its_guest_accesses_with_eperm() throws IOException {
    // at 8.4 ms vm1's vGPU has a workload in flight: the GVT thread's vfio_dma_rw finds no mm
    // (get_task_mm NULL → -EPERM); the workload still completes and the teardown is clean
    JsonNode j = run("faults-qemu-crash", 0, "--set", "vfiosim.faults.qemu-crash.at-ms=8.4");
    long eperm = errno(j, "vfio_dma_rw", "-EPERM");
    assertThat(eperm).isPositive();
    assertThat(j.get("ops").get("vfio_dma_rw").get("errors").asLong()).isEqualTo(eperm);
    assertThat(errno(j, "kvmgt_rw_gpa", "-EPERM")).isEqualTo(eperm);
    assertThat(j.get("findings")).isEmpty();
    assertThat(j.get("invariants").get("violations")).isEmpty();
  }

  @Test
  void qemu_crash_leaves_the_other_vms_actions_unchanged() throws IOException {
    JsonNode crashed = run("faults-qemu-crash", 0);
    JsonNode clean = run("faults-qemu-crash", 0, "--set", "vfiosim.faults.qemu-crash.vms=[]");
    assertThat(crashed.get("vms").get(0).get("actions_digest"))
        .isEqualTo(clean.get("vms").get(0).get("actions_digest"));
    assertThat(crashed.get("vms").get(1).get("actions_digest"))
        .isNotEqualTo(clean.get("vms").get(1).get("actions_digest"));
  }

  @Test
  void release_race_hits_the_window_and_bugs() throws IOException {
    JsonNode j = run("faults-release-race", 1);
    JsonNode findings = j.get("findings");
    assertThat(findings).hasSize(1);
    assertThat(findings.get(0).get("kind").asText()).isEqualTo("BUG");
    assertThat(findings.get(0).get("where").asText()).isEqualTo("vfio_dma_do_unmap");
    assertThat(findings.get(0).get("vm").asText()).isEqualTo("vm0");
    assertThat(findings.get(0).get("message").asText()).contains("iova 0x0 ");
    JsonNode r = j.get("faults").get("release_race").get(0);
    assertThat(r.get("vgpu").asText()).isEqualTo("vm0v0");
    long unmap = r.get("unmap_cycles").asLong();
    assertThat(r.get("release_start_cycles").asLong()).isGreaterThanOrEqualTo(r.get("group_del_cycles").asLong());
    assertThat(unmap).isGreaterThanOrEqualTo(r.get("notifier_unregistered_cycles").asLong());
    assertThat(unmap).isLessThan(r.get("cache_destroyed_cycles").asLong());
    assertThat(r.get("unmap_in_window").asBoolean()).isTrue();
    assertThat(r.get("container_bug").asBoolean()).isTrue();
    assertThat(errno(j, "VFIO_IOMMU_UNMAP_DMA", "BUG")).isGreaterThanOrEqualTo(1);
    assertThat(j.get("invariants").get("violations")).isEmpty();
  }

  @Test
  void release_race_missed_when_qemu_unmaps_at_once() throws IOException {
    // delay 0: QEMU's UNMAP reaches the notifier chain before the kworker unregisters kvmgt's
    // notifier, so kvmgt unpins everything in the notifier and the unmap completes
    JsonNode j = run("faults-release-race", 0, "--set", "vfiosim.faults.release-race.delay-us=0");
    assertThat(j.get("findings")).isEmpty();
    JsonNode r = j.get("faults").get("release_race").get(0);
    assertThat(r.get("unmap_in_window").asBoolean()).isFalse();
    assertThat(r.get("container_bug").asBoolean()).isFalse();
    assertThat(j.get("invariants").get("violations")).isEmpty();
  }

  @Test
  void release_race_does_not_hit_while_another_vgpu_notifier_is_on_the_chain() throws IOException {
    // vm0v0 stays open: its notifier's walk over the whole RAM dma outlasts vm0v1's cache destroy
    JsonNode j = run("faults-release-race", 0, "--set", "vfiosim.fleet.vgpus-per-vm=2", "--set",
        "vfiosim.faults.release-race.vgpus=[vm0v1]");
    JsonNode r = j.get("faults").get("release_race").get(0);
    assertThat(r.get("unmap_in_window").asBoolean()).isTrue();
    assertThat(r.get("container_bug").asBoolean()).isFalse();
    assertThat(j.get("findings")).isEmpty();
    assertThat(j.get("invariants").get("violations")).isEmpty();
  }

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"2", "3", "4"})
  void both_bug_scenarios_hit_with_other_seeds_and_generations(String seed) throws IOException {
    String gen = new String[] {"v5.6", "v5.10", "v5.10-contig"}[Integer.parseInt(seed) % 3];
    for (String s : new String[] {"faults-buggy-vendor", "faults-release-race"}) {
      JsonNode j = run(s, 1, "--seed", seed, "--set", "vfiosim.generation=" + gen);
      assertThat(j.get("findings").get(0).get("kind").asText()).as(s).isEqualTo("BUG");
      assertThat(j.get("findings").get(0).get("where").asText()).as(s).isEqualTo("vfio_dma_do_unmap");
      assertThat(j.get("invariants").get("violations")).as(s).isEmpty();
    }
  }

  @Test
  void rlimit_and_dma_entry_limit_fail_with_their_errnos_and_leak_nothing() throws IOException {
    JsonNode j = run("faults-rlimit", 0);
    assertThat(j.get("findings")).isEmpty();
    assertThat(j.get("invariants").get("violations")).isEmpty();
    long enomem = errno(j, "vfio_group_pin_pages", "-ENOMEM");
    assertThat(enomem).isPositive();
    assertThat(errno(j, "kvmgt_dma_map_guest_page", "-ENOMEM")).isEqualTo(enomem);
    assertThat(j.get("ops").get("vfio_group_pin_pages").get("errors").asLong()).isEqualTo(enomem);
    // vm1: the hot-plug MAP at boot and every replug (churn every 4 ms over 20 ms) find dma_avail 0
    long enospc = errno(j, "VFIO_IOMMU_MAP_DMA", "-ENOSPC");
    assertThat(enospc).isEqualTo(j.get("ops").get("VFIO_IOMMU_MAP_DMA").get("errors").asLong());
    JsonNode limits = j.get("faults").get("limits");
    assertThat(limits.get(0).get("vm").asText()).isEqualTo("vm0");
    assertThat(limits.get(0).get("rlimit_memlock_pages").asLong()).isEqualTo(16);
    assertThat(limits.get(0).get("errors").asLong()).isEqualTo(enomem);
    assertThat(limits.get(1).get("vm").asText()).isEqualTo("vm1");
    assertThat(limits.get(1).get("dma_entry_limit").asLong()).isEqualTo(1);
    assertThat(limits.get(1).get("errors").asLong()).isEqualTo(enospc);
    assertThat(enospc).isGreaterThanOrEqualTo(3);
  }

  @Test
  void fault_runs_are_byte_identical_across_thread_counts() throws IOException {
    for (String s : new String[] {"faults-release-race", "faults-qemu-crash", "faults-buggy-vendor", "faults-rlimit"}) {
      String ref = null;
      for (int threads : new int[] {1, 2}) {
        Path out = dir.resolve(s + "-t" + threads);
        CliTest.Result r = cli("run", "conf/scenarios/" + s + ".conf", "--threads", Integer.toString(threads),
            "--set", "vfiosim.engine.max-window-cycles=200000", "--out", out.toString(), "--no-progress");
        assertThat(r.status()).as(r.err()).isIn(0, 1);
        String text = CliTest.withoutHost(out.resolve("results.json"));
        if (ref == null) {
          ref = text;
        } else {
          assertThat(text).as(s).isEqualTo(ref);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "vfiosim.faults.buggy-vendor.vgpus=[vm9v0] | vfiosim.faults.buggy-vendor.vgpus names no vGPU 'vm9v0' (this fleet has vm0v0 .. vm1v0)",
      "vfiosim.faults.qemu-crash.vms=[vm0,vm0] | vfiosim.faults.qemu-crash.vms names vm0 twice",
      "vfiosim.faults.qemu-crash.vms=[vm01] | names no VM 'vm01'",
      "vfiosim.faults.qemu-crash.at-ms=20 | vfiosim.faults.qemu-crash.at-ms must be above 0 and below vfiosim.fleet.duration-ms",
      "vfiosim.faults.rlimit-memlock.vms=vm0 | vfiosim.faults.rlimit-memlock.vms must be a list",
      "vfiosim.faults.dma-entry-limit.limit=70000 | vfiosim.faults.dma-entry-limit.limit must be between 0 and 65535",
      "vfiosim.faults.release-race.vgpus=[vm1v0] | names vm1v0 of vm1, whose QEMU crashes",
      "vfiosim.faults.qemu-crash.atms=3 | unknown key 'vfiosim.faults.qemu-crash.atms'",
  })
  void bad_fault_settings_are_one_line_errors(String set, String message) {
    CliTest.Result r = cli("run", "conf/scenarios/faults-qemu-crash.conf", "--set", set, "--out",
        dir.resolve("bad").toString(), "--no-progress");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains(message);
    assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  void a_fault_of_a_mutex_bench_run_is_rejected() {
    CliTest.Result r = cli("run", "conf/scenarios/mutex-bench.conf", "--set", "vfiosim.faults.qemu-crash.vms=[vm0]",
        "--out", dir.resolve("mb").toString(), "--no-progress");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("vfiosim.faults.qemu-crash.vms is a fault of scenario kind gvt-fleet, not of mutex-bench");
  }
}
