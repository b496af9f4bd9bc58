package org.vfiosim.actors;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.vfiosim.kernel.Generation;

/**
 * Every lock each path takes, per generation, as the kernel code takes it (reference §7): the
 * acquisition counts a script can assert.
 */
class LockCountsTest {

  @Test
  void v56_pin_takes_the_global_lock_and_three_group_mutexes_per_call() {
    Harness h = new Harness(Generation.V5_6, 1).mapAndOpen(0, 1L << 30);
    h.resetLockStats();
    long[] phys = new long[1];
    long r = h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.PinPages(new long[] {0x10}, 1, 3, phys, false));
    assertThat(r).isEqualTo(1);
    assertThat(h.acq("vfio.group_lock", "host")).isEqualTo(1);
    assertThat(h.acq("&iommu_group->mutex", "v1")).isEqualTo(1);
    assertThat(h.acq("&group->unbound_lock", "v1")).isEqualTo(1);
    assertThat(h.acq("&group->device_lock", "v1")).isEqualTo(1);
    assertThat(h.acq("&iommu->lock", "vm1")).isEqualTo(1);
    assertThat(h.acq("&mm->mmap_lock", "vm1")).isEqualTo(2); // GUP read, accounting write
    assertThat(h.acq("&p->alloc_lock", "vm1")).isEqualTo(2); // get_task_mm in pin_page_external and lock_acct
    assertThat(h.vgpu[0].group().containerUsers.value).isEqualTo(3);
  }

  @Test
  void v510_group_pin_takes_no_group_lock_at_all() {
    Harness h = new Harness(Generation.V5_10, 1).mapAndOpen(0, 1L << 30);
    h.resetLockStats();
    long[] phys = new long[1];
    long r = h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.GroupPinPages(new long[] {0x10}, 1, 3, phys, false));
    assertThat(r).isEqualTo(1);
    assertThat(h.acq("vfio.group_lock", "host")).isZero();
    assertThat(h.acq("&iommu_group->mutex", "v1")).isZero();
    assertThat(h.acq("&group->unbound_lock", "v1")).isZero();
    assertThat(h.acq("&group->device_lock", "v1")).isZero();
    assertThat(h.acq("&iommu->lock", "vm1")).isEqualTo(1);
    assertThat(h.acq("&mm->mmap_lock", "vm1")).isEqualTo(2);
  }

  @Test
  void a_2m_kvmgt_map_takes_the_global_lock_512_times_in_v56_and_never_in_v510() {
    for (Generation g : Generation.values()) {
      Harness h = new Harness(g, 1).mapAndOpen(0, 1L << 30);
      h.resetLockStats();
      long r = h.call(h.gvt[0], h.vgpu[0].kvmgt(), new Kvmgt.DmaMapGuestPage(0x200, 2L << 20));
      assertThat(r).as(g.id()).isZero();
      assertThat(h.acq("vfio.group_lock", "host")).as(g.id()).isEqualTo(g == Generation.V5_6 ? 512 : 0);
      assertThat(h.acq("&iommu->lock", "vm1")).as(g.id()).isEqualTo(512); // one pin call per page
      assertThat(h.acq("&vdev->cache_lock", "v1")).as(g.id()).isEqualTo(1);
      assertThat(h.vm[0].mm().state.gupCalls()).as(g.id()).isEqualTo(512);
      assertThat(h.vm[0].mm().state.lockedVm()).as(g.id()).isEqualTo(512);
    }
  }

  @Test
  void vgpu_open_and_release_take_the_global_lock_three_and_two_times_from_v57() {
    for (Generation g : Generation.values()) {
      Harness h = new Harness(g, 1);
      h.call(h.qemu[0], h.vm[0].container(), new Container.MapDma(0, 1L << 30, 0x7f0000000000L, 3));
      h.resetLockStats();
      assertThat(h.call(h.qemu[0], h.vgpu[0].group(), new VfioGroup.OpenDevice())).isZero();
      boolean v57 = g != Generation.V5_6;
      assertThat(h.acq("vfio.group_lock", "host")).as(g.id()).isEqualTo(v57 ? 3 : 2);
      assertThat(h.vgpu[0].group().containerUsers.value).as(g.id()).isEqualTo(v57 ? 4 : 3);
      h.resetLockStats();
      assertThat(h.call(h.qemu[0], h.vgpu[0].group(), new VfioGroup.ReleaseDevice())).isZero();
      assertThat(h.acq("vfio.group_lock", "host")).as(g.id()).isEqualTo(2);
      assertThat(h.vgpu[0].group().containerUsers.value).as(g.id()).isEqualTo(2);
    }
  }

  @Test
  void v56_guest_rw_goes_through_kvm_srcu_and_v510_through_the_container_mutex() {
    Harness h56 = new Harness(Generation.V5_6, 1).mapAndOpen(0, 1L << 30);
    h56.resetLockStats();
    assertThat(h56.call(h56.gvt[0], h56.vgpu[0].kvmgt(), new Kvmgt.RwGpa(0x1000, 4096, false))).isZero();
    assertThat(h56.acq("kvm->srcu", "vm1")).isEqualTo(1);
    assertThat(h56.acq("&iommu->lock", "vm1")).isZero();

    Harness h = new Harness(Generation.V5_10, 1).mapAndOpen(0, 1L << 30);
    h.resetLockStats();
    assertThat(h.call(h.gvt[0], h.vgpu[0].kvmgt(), new Kvmgt.RwGpa(0x1000, 20 * 4096, false))).isZero();
    assertThat(h.acq("kvm->srcu", "vm1")).isZero();
    assertThat(h.acq("&iommu->lock", "vm1")).isEqualTo(1); // one hold for the whole multi-page copy
    assertThat(h.acq("&p->alloc_lock", "vm1")).isEqualTo(1); // one chunk: one get_task_mm
  }

  @Test
  void contiguous_runs_take_one_gup_and_one_accounting_lock_each() {
    long[] pfns = {1, 5, 6, 7, 9};
    for (Generation g : new Generation[] {Generation.V5_10, Generation.V5_10_CONTIG}) {
      Harness h = new Harness(g, 1).mapAndOpen(0, 1L << 30);
      h.resetLockStats();
      long gup0 = h.vm[0].mm().state.gupCalls();
      long r = h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.GroupPinPages(pfns, 5, 3, new long[5], false));
      assertThat(r).isEqualTo(5);
      long gups = h.vm[0].mm().state.gupCalls() - gup0;
      long writes = h.k.model.lock("&mm->mmap_lock", "vm1").writeStats().acquisitions();
      assertThat(gups).as(g.id()).isEqualTo(g.contiguousPin() ? 3 : 5);
      assertThat(writes).as(g.id()).isEqualTo(g.contiguousPin() ? 3 : 5);
      assertThat(h.vm[0].container().pinnedPages()).isEqualTo(5);
    }
  }
}
