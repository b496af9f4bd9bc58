package org.vfiosim.actors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfiosim.kernel.Generation;
import org.vfiosim.run.Invariant;

/** The after-shutdown baselines (design §6): they flag what is left, and hold after QEMU's teardown. */
class TeardownInvariantsTest {

  private static List<String> violations(KernelModel k) {
    List<String> out = new ArrayList<>();
    for (Invariant i : k.teardownInvariants()) {
      out.addAll(i.check());
    }
    return out;
  }

  @Test
  void a_running_vm_breaks_every_baseline_and_a_full_teardown_restores_them() {
    Harness h = new Harness(Generation.V5_10, 1).mapAndOpen(0, 1L << 30);
    Kvmgt kv = h.vgpu[0].kvmgt();
    VfioGroup g = h.vgpu[0].group();
    assertThat(h.call(h.gvt[0], kv, new Kvmgt.DmaMapGuestPage(0x100, 4096))).isZero();
    assertThat(violations(h.k)).anyMatch(v -> v.contains("vfio_dma left"))
        .anyMatch(v -> v.contains("pages still pinned"))
        .anyMatch(v -> v.contains("locked_vm"))
        .anyMatch(v -> v.contains("gvt_cache entries"))
        .anyMatch(v -> v.contains("still attached"))
        .anyMatch(v -> v.contains("container_users"))
        .anyMatch(v -> v.contains("group kref"));

    // QEMU's shutdown: device fd closed (kvmgt release), guest RAM unmapped, KVM drops the group,
    // the container is unset and the group fd closed
    assertThat(h.call(h.qemu[0], g, new VfioGroup.ReleaseDevice())).isZero();
    assertThat(violations(h.k)).noneMatch(v -> v.contains("gvt_cache")).anyMatch(v -> v.contains("vfio_dma left"));
    assertThat(h.call(h.qemu[0], h.vm[0].container(), new Container.UnmapDma(0, 1L << 30))).isZero();
    assertThat(h.call(h.qemu[0], g, new VfioGroup.KvmGroupDel())).isZero();
    assertThat(h.call(h.qemu[0], g, new VfioGroup.UnsetContainer())).isZero();
    assertThat(h.call(h.qemu[0], g, new VfioGroup.CloseGroupFd())).isZero();
    assertThat(violations(h.k)).isEmpty();
    assertThat(g.containerUsers.value).isZero();
    assertThat(g.kref.value).isEqualTo(1 + g.devices);
  }

  @Test
  void the_unmap_notifier_empties_the_cache_but_the_group_holders_remain() {
    Harness h = new Harness(Generation.V5_10, 1).mapAndOpen(0, 1L << 30);
    Kvmgt kv = h.vgpu[0].kvmgt();
    h.call(h.gvt[0], kv, new Kvmgt.DmaMapGuestPage(0x100, 4096));
    // UNMAP fires the notifier, which drops the cache entry: only the group's holders remain
    assertThat(h.call(h.qemu[0], h.vm[0].container(), new Container.UnmapDma(0, 1L << 30))).isZero();
    assertThat(violations(h.k)).noneMatch(v -> v.contains("pinned")).anyMatch(v -> v.contains("container_users"));
  }
}
