package org.vfiosim.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Seeded property tests (the seed is in every failure message) for isolation and permissions:
 * faults of VM A (a buggy vendor driver that ends in BUG, RLIMIT_MEMLOCK exhaustion, QEMU's exit)
 * never change VM B; a vGPU reaches only its own container (an iova mapped only in another VM's
 * container is -EINVAL on every path); and the prot checks of type1 hold on every path (pin, rw,
 * kvmgt map) with the kernel's errno, leaving nothing pinned or accounted behind.
 */
class IsolationPermissionPropertyTest {
  private static final String[] GENS = {"v5.6", "v5.10", "v5.10-contig"};

  /**
   * vm1 with a small RLIMIT_MEMLOCK and a buggy vendor driver, then random ops of vm1 (which may
   * BUG its container, fail with -ENOMEM, and end with QEMU's exit), then vm2's ops: vm2 ends in
   * the same state as when vm1 did nothing.
   */
  @RepeatedTest(30)
  void faults_of_one_vm_never_change_another(RepetitionInfo info) throws ScriptError {
    long seed = 0xfa170000L + info.getCurrentRepetition();
    Random r = new Random(seed);
    String gen = GENS[r.nextInt(GENS.length)];
    String vm2ops = String.join("\n", RandomOpsPropertyTest.randomOps(new Random(seed * 31), gen, "vm2", "v2", 25)) + "\n";
    String quiet = header(gen, "", "") + vm2ops;
    List<String> a = RandomOpsPropertyTest.randomOps(r, gen, "vm1", "v1", 50);
    a.add(r.nextInt(a.size() + 1), "qemu_exit vm1");
    // a's pins past the limit fail with -ENOMEM and the buggy notifier BUGs an UNMAP over kvmgt
    // pins: strip the expectations randomOps wrote for a well-behaved vm1
    StringBuilder faulty = new StringBuilder(header(gen, " memlock=" + (1 + r.nextInt(6)), " notifier=ignore"));
    for (String op : a) {
      faulty.append(op.replace(" expect=-EBUSY", "")).append('\n');
    }
    faulty.append("VFIO_IOMMU_UNMAP_DMA vm1 iova=0 size=2M\n").append(vm2ops);
    ScriptRunner.Replayed alone = ScriptRunner.runKeeping(ScriptParser.parse("a.vfs", quiet), ScriptsReplayTest.COSTS, false);
    ScriptRunner.Replayed withA =
        ScriptRunner.runKeeping(ScriptParser.parse("b.vfs", faulty.toString()), ScriptsReplayTest.COSTS, false);
    assertThat(RandomOpsPropertyTest.vmState(withA.model(), 1)).as("seed %d\n%s", seed, faulty)
        .isEqualTo(RandomOpsPropertyTest.vmState(alone.model(), 1));
    // and vm1 is really faulty: its mm is gone (and its container may have hit BUG)
    assertThat(withA.model().vms().get(0).mm().state.alive()).isFalse();
    assertThat(withA.model().vms().get(1).container().crashed()).isFalse();
  }

  /**
   * v1 (attached to vm1's container) pins, reads/writes and maps pages that only vm2's container
   * maps: every path fails with -EINVAL (no vfio_dma in its own container) and nothing changes in
   * vm2, or is left pinned in vm1.
   */
  @RepeatedTest(20)
  void a_vgpu_reaches_only_its_own_container(RepetitionInfo info) throws ScriptError {
    long seed = 0x15010000L + info.getCurrentRepetition();
    Random r = new Random(seed);
    String gen = GENS[r.nextInt(GENS.length)];
    boolean groupApi = !gen.equals("v5.6");
    StringBuilder sb = new StringBuilder(header(gen, "", ""));
    // vm2 also maps [32M, 34M): an iova range vm1's container does not have
    sb.append("VFIO_IOMMU_MAP_DMA vm2 iova=32M size=2M flags=READ,WRITE\n");
    sb.append("intel_vgpu_open v1\nintel_vgpu_open v2\n");
    sb.append("kvmgt_dma_map_guest_page v2 gfn=0x2000 size=4K\n"); // vm2 has a pin there
    for (int i = 0; i < 30; i++) {
      long pfn = 0x2000 + r.nextInt(512);
      String hex = "0x" + Long.toHexString(pfn);
      switch (r.nextInt(groupApi ? 5 : 3)) {
        case 0 -> sb.append("vfio_pin_pages v1 pfns=").append(hex).append('+').append(1 + r.nextInt(4))
            .append(" expect=-EINVAL\n");
        case 1 -> sb.append("kvmgt_dma_map_guest_page v1 gfn=").append(hex).append(" size=")
            .append(r.nextBoolean() ? "4K" : "2M").append(" expect=-EINVAL\n");
        case 2 -> sb.append("vfio_unpin_pages v1 pfns=").append(hex).append(" expect=-EINVAL\n");
        case 3 -> sb.append("vfio_group_pin_pages v1 pfns=").append(hex).append(" expect=-EINVAL\n");
        default -> sb.append("vfio_dma_rw v1 iova=0x").append(Long.toHexString(pfn << 12)).append(" len=")
            .append(1 + r.nextInt(8192)).append(r.nextBoolean() ? " read" : " write").append(" expect=-EINVAL\n");
      }
    }
    sb.append("assert pinned vm1 == 0\nassert locked_vm vm1 == 0\nassert cache_entries v1 == 0\n");
    sb.append("assert pinned vm2 == 1\nassert locked_vm vm2 == 1\nassert ref_count vm2 iova_pfn=0x2000 == 1\n");
    ScriptRunner.Result res = ScriptRunner.run(ScriptParser.parse("iso.vfs", sb.toString()), ScriptsReplayTest.COSTS, false);
    assertThat(res.failed()).as("seed %d\n%s\n%s", seed, sb, String.join("\n", res.lines())).isZero();
    assertThat(res.passed()).isEqualTo(36);
    assertThat(res.violations()).isEmpty();
  }

  /**
   * Mappings with random prot; random accesses through every path. type1's rules: a pin needs
   * every prot bit it asks for (-EPERM, case 5); vfio_dma_rw needs IOMMU_READ always and
   * IOMMU_WRITE to write (-EPERM, case 22); kvmgt pins READ|WRITE, so its map needs both; kvmgt's
   * guest rw goes through vfio_dma_rw from v5.7 on and through KVM (no IOMMU prot) in v5.6. A
   * refused call pins and accounts nothing.
   */
  @RepeatedTest(20)
  void prot_checks_hold_on_every_path(RepetitionInfo info) throws ScriptError {
    long seed = 0x9e770000L + info.getCurrentRepetition();
    Random r = new Random(seed);
    String gen = GENS[r.nextInt(GENS.length)];
    boolean groupApi = !gen.equals("v5.6");
    String[] flags = {"READ", "WRITE", "READ,WRITE"};
    int[] prot = new int[4]; // per 2M mapping i at iova i*2M: 1 = READ, 2 = WRITE
    StringBuilder sb = new StringBuilder("generation " + gen + "\nvm vm1 mem=64M\nvgpu v1 vm=vm1\n");
    for (int i = 0; i < prot.length; i++) {
      int f = r.nextInt(3);
      prot[i] = f + 1;
      sb.append("VFIO_IOMMU_MAP_DMA vm1 iova=").append(2 * i).append("M size=2M flags=").append(flags[f]).append('\n');
    }
    sb.append("intel_vgpu_open v1\n");
    for (int n = 0; n < 40; n++) {
      int m = r.nextInt(prot.length);
      long pfn = (long) m * 512 + r.nextInt(512);
      String hex = "0x" + Long.toHexString(pfn);
      boolean read = (prot[m] & 1) != 0;
      boolean write = (prot[m] & 2) != 0;
      switch (r.nextInt(groupApi ? 5 : 4)) {
        case 0 -> { // vfio_pin_pages with a random prot, then unpin what was pinned
          int want = 1 + r.nextInt(3);
          boolean ok = (prot[m] & want) == want;
          sb.append("vfio_pin_pages v1 pfns=").append(hex).append(" prot=").append(flags[want - 1])
              .append(" expect=").append(ok ? "1" : "-EPERM").append('\n');
          if (ok) {
            sb.append("vfio_unpin_pages v1 pfns=").append(hex).append(" expect=1\n");
          }
        }
        case 1 -> { // kvmgt maps READ|WRITE pins
          boolean ok = read && write;
          sb.append("kvmgt_dma_map_guest_page v1 gfn=").append(hex).append(" size=4K expect=")
              .append(ok ? "0" : "-EPERM").append('\n');
          if (ok) {
            sb.append("kvmgt_dma_unmap_guest_page v1 gfn=").append(hex).append('\n');
          }
        }
        case 2 -> { // kvmgt_rw_gpa: vfio_dma_rw (v5.7+) or KVM (v5.6)
          boolean w = r.nextBoolean();
          boolean ok = !groupApi || (read && (!w || write));
          sb.append("kvmgt_rw_gpa v1 gpa=0x").append(Long.toHexString(pfn << 12)).append(" len=64")
              .append(w ? " write" : " read").append(" expect=").append(ok ? "0" : "-EPERM").append('\n');
        }
        case 3 -> sb.append("assert pinned vm1 == 0\nassert locked_vm vm1 == 0\n");
        default -> { // vfio_dma_rw from the kthread
          boolean w = r.nextBoolean();
          boolean ok = read && (!w || write);
          sb.append("vfio_dma_rw v1 iova=0x").append(Long.toHexString(pfn << 12)).append(" len=64")
              .append(w ? " write" : " read").append(" expect=").append(ok ? "0" : "-EPERM").append('\n');
          if (groupApi && r.nextBoolean()) {
            boolean g = (prot[m] & 3) == 3;
            sb.append("vfio_group_pin_pages v1 pfns=").append(hex).append(" expect=").append(g ? "1" : "-EPERM")
                .append('\n');
            if (g) {
              sb.append("vfio_group_unpin_pages v1 pfns=").append(hex).append(" expect=1\n");
            }
          }
        }
      }
    }
    sb.append("assert pinned vm1 == 0\nassert locked_vm vm1 == 0\nassert cache_entries v1 == 0\n");
    ScriptRunner.Result res = ScriptRunner.run(ScriptParser.parse("prot.vfs", sb.toString()), ScriptsReplayTest.COSTS, false);
    assertThat(res.failed()).as("seed %d\n%s\n%s", seed, sb, String.join("\n", res.lines())).isZero();
    assertThat(res.passed()).isEqualTo(sb.toString().split("expect=|assert ", -1).length - 1);
    assertThat(res.violations()).isEmpty();
  }

  private static String header(String gen, String vm1Opts, String v1Opts) {
    return "generation " + gen + "\nvm vm1 mem=64M" + vm1Opts + "\nvm vm2 mem=64M\nvgpu v1 vm=vm1" + v1Opts
        + "\nvgpu v2 vm=vm2\n"
        + "VFIO_IOMMU_MAP_DMA vm1 iova=0 size=2M flags=READ,WRITE\n"
        + "VFIO_IOMMU_MAP_DMA vm2 iova=0 size=2M flags=READ,WRITE\n";
  }
}
