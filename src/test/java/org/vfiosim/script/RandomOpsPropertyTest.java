package org.vfiosim.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.vfiosim.actors.KernelModel;
import org.vfiosim.kernel.GvtCache;
import org.vfiosim.kernel.VfioDma;
import org.vfiosim.kernel.VfioPfn;

/**
 * Seeded property tests over random op sequences (the seed is in every failure message):
 * invariants always hold, and operations on VM A never change VM B's state.
 */
class RandomOpsPropertyTest {

  private static final String[] GENS = {"v5.6", "v5.10", "v5.10-contig"};

  /** A random but well-formed sequence of operations on {@code vm}/{@code vgpu}. */
  static List<String> randomOps(Random r, String gen, String vm, String vgpu, int n) {
    List<String> ops = new ArrayList<>();
    boolean groupApi = !gen.equals("v5.6");
    boolean open = false;
    int scriptPins = 0;
    for (int i = 0; i < n; i++) {
      int pick = r.nextInt(14);
      long page = r.nextInt(64);
      switch (pick) {
        case 0 -> ops.add("VFIO_IOMMU_MAP_DMA " + vm + " iova=0x" + Long.toHexString((1L + r.nextInt(8)) << 21)
            + " size=2M flags=" + (r.nextBoolean() ? "READ,WRITE" : "READ"));
        case 1 -> {
          if (scriptPins == 0) { // kvmgt's notifier releases its own pins; script pins would BUG
            ops.add("VFIO_IOMMU_UNMAP_DMA " + vm + " iova=0x" + Long.toHexString((1L + r.nextInt(8)) << 21)
                + " size=2M");
          }
        }
        case 2 -> {
          if (!open) {
            ops.add("intel_vgpu_open " + vgpu);
            open = true;
          }
        }
        case 3 -> {
          if (open && scriptPins == 0) {
            ops.add("intel_vgpu_release " + vgpu);
            open = false;
          }
        }
        case 4, 5 -> {
          String api = groupApi && r.nextBoolean() ? "vfio_group_pin_pages" : "vfio_pin_pages";
          ops.add(api + " " + vgpu + " pfns=0x" + Long.toHexString(page) + "+" + (1 + r.nextInt(3)));
          scriptPins++;
        }
        case 6 -> {
          String api = groupApi && r.nextBoolean() ? "vfio_group_unpin_pages" : "vfio_unpin_pages";
          ops.add(api + " " + vgpu + " pfns=0x" + Long.toHexString(page) + "+" + (1 + r.nextInt(3)));
        }
        case 7, 8 -> ops.add("kvmgt_dma_map_guest_page " + vgpu + " gfn=0x" + Long.toHexString(page)
            + " size=" + (r.nextInt(8) == 0 ? "2M" : "4K"));
        case 9 -> ops.add("kvmgt_dma_unmap_guest_page " + vgpu + " gfn=0x" + Long.toHexString(page));
        case 10 -> ops.add("kvmgt_rw_gpa " + vgpu + " gpa=0x" + Long.toHexString(page << 12) + " len="
            + (1 + r.nextInt(8192)) + (r.nextBoolean() ? " read" : " write"));
        case 11 -> {
          if (groupApi) {
            ops.add("vfio_dma_rw " + vgpu + " iova=0x" + Long.toHexString(page << 12) + " len=" + (1 + r.nextInt(9000))
                + (r.nextBoolean() ? " read" : " write"));
          }
        }
        case 12 -> ops.add("VFIO_GROUP_UNSET_CONTAINER " + vgpu + " expect=-EBUSY");
        default -> ops.add("reset_counters");
      }
    }
    return ops;
  }

  private static String header(String gen) {
    return "generation " + gen + "\nvm vm1 mem=64M\nvm vm2 mem=64M\nvgpu v1 vm=vm1\nvgpu v2 vm=vm2\n"
        + "VFIO_IOMMU_MAP_DMA vm1 iova=0 size=2M flags=READ,WRITE\n"
        + "VFIO_IOMMU_MAP_DMA vm2 iova=0 size=2M flags=READ,WRITE\n";
  }

  @RepeatedTest(60)
  void random_sequences_never_break_an_invariant(RepetitionInfo info) throws ScriptError {
    long seed = 0x5eed0000L + info.getCurrentRepetition();
    Random r = new Random(seed);
    String gen = GENS[r.nextInt(GENS.length)];
    StringBuilder sb = new StringBuilder(header(gen));
    List<String> a = randomOps(r, gen, "vm1", "v1", 40);
    List<String> b = randomOps(r, gen, "vm2", "v2", 40);
    int n = Math.max(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      String x = i < a.size() ? a.get(i) : "reset_counters";
      String y = i < b.size() ? b.get(i) : "reset_counters";
      if (r.nextInt(5) == 0) {
        sb.append("parallel {\n  ").append(x).append("\n  ").append(y).append("\n}\n");
      } else {
        sb.append(x).append('\n').append(y).append('\n');
      }
    }
    sb.append("assert bug vm1 == 0\n");
    Script s = ScriptParser.parse("seed-" + seed + ".vfs", sb.toString());
    ScriptRunner.Result res = ScriptRunner.run(s, ScriptsReplayTest.COSTS, false);
    assertThat(res.violations()).as("seed %d\n%s\n%s", seed, sb, String.join("\n", res.lines())).isEmpty();
    assertThat(res.failed()).as("seed %d\n%s\n%s", seed, sb, String.join("\n", res.lines())).isZero();
  }

  @RepeatedTest(30)
  void operations_on_one_vm_never_change_another(RepetitionInfo info) throws ScriptError {
    long seed = 0x150L + info.getCurrentRepetition();
    Random r = new Random(seed);
    String gen = GENS[r.nextInt(GENS.length)];
    String vm2ops = String.join("\n", randomOps(new Random(seed * 31), gen, "vm2", "v2", 25)) + "\n";
    String alone = header(gen) + vm2ops;
    String withA = header(gen) + String.join("\n", randomOps(r, gen, "vm1", "v1", 50)) + "\n" + vm2ops;
    String stateAlone = vmState(ScriptRunner.runKeeping(ScriptParser.parse("a.vfs", alone), ScriptsReplayTest.COSTS, false)
        .model(), 1);
    String stateWithA = vmState(ScriptRunner.runKeeping(ScriptParser.parse("b.vfs", withA), ScriptsReplayTest.COSTS, false)
        .model(), 1);
    assertThat(stateWithA).as("seed %d", seed).isEqualTo(stateAlone);
  }

  /** Everything observable about VM {@code i}: dma tree, pins, accounting, group counters, kvmgt cache. */
  static String vmState(KernelModel k, int i) {
    KernelModel.Vm vm = k.vms().get(i);
    KernelModel.Vgpu v = k.vgpus().get(i);
    StringBuilder sb = new StringBuilder();
    for (VfioDma d : vm.container().t1.dmaList()) {
      sb.append(d).append('\n');
      for (VfioPfn p : d.pfnList()) {
        sb.append("  ").append(p).append('\n');
      }
    }
    sb.append("dma_avail=").append(vm.container().t1.dmaAvail()).append(" locked_vm=")
        .append(vm.mm().state.lockedVm()).append(" pins=").append(vm.mm().state.totalPins())
        .append(" gup=").append(vm.mm().state.gupCalls()).append(" notifier_calls=")
        .append(vm.container().t1.notifierCalls()).append(" bug=").append(vm.container().crashed())
        .append(" container_users=").append(v.group().containerUsers.value).append(" kref=")
        .append(v.group().kref.value).append('\n');
    for (GvtCache.GvtDma e : v.kvmgt().cache.entries()) {
      sb.append(e.gfn()).append(':').append(e.size()).append(':').append(e.kref()).append('\n');
    }
    return sb.toString();
  }
}
