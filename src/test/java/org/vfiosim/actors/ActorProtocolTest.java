package org.vfiosim.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.kernel.Errno.EEXIST;
import static org.vfiosim.kernel.Errno.EINVAL;
import static org.vfiosim.kernel.Errno.ENODEV;
import static org.vfiosim.kernel.Errno.EPERM;
import static org.vfiosim.kernel.Errno.ESRCH;

import org.junit.jupiter.api.Test;
import org.vfiosim.kernel.Generation;

/** One message at a time into each simulated actor, checking the reply, the state and the time. */
class ActorProtocolTest {

  @Test
  void vfio_core_walks_the_group_list_newest_first() {
    Harness h = new Harness(Generation.V5_6, 4);
    for (int i = 0; i < 4; i++) {
      h.mapAndOpen(i, 1L << 30);
    }
    long[] phys = new long[1];
    h.call(h.gvt[3], h.vgpu[3].group(), new VfioGroup.PinPages(new long[] {0x10}, 1, 3, phys, false));
    long newest = h.lastCycles;
    h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.PinPages(new long[] {0x10}, 1, 3, phys, false));
    long oldest = h.lastCycles;
    // v4 was created last: list_add at the head, so it is found after 1 element, v1 after 4
    assertThat(oldest - newest).isEqualTo(3 * Harness.COSTS.listWalkElement);
  }

  @Test
  void an_uncontended_group_pin_costs_exactly_its_modelled_steps() {
    Harness h = new Harness(Generation.V5_10, 1).mapAndOpen(0, 1L << 30);
    long[] phys = new long[1];
    h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.GroupPinPages(new long[] {0x10}, 1, 3, phys, false));
    long first = h.lastCycles;
    h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.GroupPinPages(new long[] {0x10}, 1, 3, phys, false));
    long hit = h.lastCycles;
    var c = Harness.COSTS;
    // an already pinned page: entry checks, the ops-table call into type1, &iommu->lock, one dma
    // search, one pfn_list search
    long expectedHit = 2 * c.callEntry + c.callIndirect + c.mutex.acquire() + c.mutex.release() + c.rbSearch(1)
        + c.rbSearch(1);
    assertThat(hit).isEqualTo(expectedHit);
    assertThat(first).isGreaterThan(hit + c.gupCall + c.gupPage + c.account);
  }

  @Test
  void unmap_with_a_notifier_that_does_not_unpin_bugs_on_the_twelfth_pass() {
    Harness h = new Harness(Generation.V5_10, 1);
    KernelModel.Vgpu bad = h.vgpu[0];
    h.mapAndOpen(0, 1L << 30);
    long[] phys = new long[1];
    // a script pin is not the vendor driver's: its notifier cannot release it
    h.call(h.gvt[0], bad.group(), new VfioGroup.GroupPinPages(new long[] {0x10}, 1, 3, phys, false));
    long r = h.call(h.qemu[0], h.vm[0].container(), new Container.UnmapDma(0, 1L << 30));
    assertThat(r).isEqualTo(KernelModel.RET_BUG);
    assertThat(h.vm[0].container().t1.notifierCalls()).isEqualTo(11);
    assertThat(h.vm[0].container().crashed()).isTrue();
    assertThat(h.k.findings()).anySatisfy(f -> assertThat(f.kind().name()).isEqualTo("BUG"));
    // the container is dead for every later caller
    assertThat(h.call(h.gvt[0], bad.group(), new VfioGroup.GroupPinPages(new long[] {0x20}, 1, 3, phys, false)))
        .isEqualTo(KernelModel.RET_BUG);
  }

  @Test
  void kvmgt_unmap_notifier_drops_cache_entries_whatever_their_kref() {
    Harness h = new Harness(Generation.V5_10, 1).mapAndOpen(0, 1L << 30);
    Kvmgt kv = h.vgpu[0].kvmgt();
    h.call(h.gvt[0], kv, new Kvmgt.DmaMapGuestPage(0x100, 4096));
    h.call(h.gvt[0], kv, new Kvmgt.DmaMapGuestPage(0x100, 4096));
    assertThat(kv.cache.kref(0x100)).isEqualTo(2);
    assertThat(h.call(h.qemu[0], h.vm[0].container(), new Container.UnmapDma(0, 1L << 30))).isZero();
    assertThat(h.vm[0].container().t1.notifierCalls()).isEqualTo(1);
    assertThat(kv.cache.nrCacheEntries()).isZero();
    assertThat(h.vm[0].mm().state.lockedVm()).isZero();
    assertThat(h.vm[0].container().unmapped()).isEqualTo(1L << 30);
    // a stale unmap by the old dma_addr is now a no-op
    assertThat(h.call(h.gvt[0], kv, new Kvmgt.DmaUnmapGuestPage(kv.lastDmaAddr))).isZero();
  }

  @Test
  void a_cache_hit_makes_no_vfio_call() {
    Harness h = new Harness(Generation.V5_10, 1).mapAndOpen(0, 1L << 30);
    Kvmgt kv = h.vgpu[0].kvmgt();
    h.call(h.gvt[0], kv, new Kvmgt.DmaMapGuestPage(0x100, 4096));
    long addr = kv.lastDmaAddr;
    h.resetLockStats();
    h.call(h.gvt[0], kv, new Kvmgt.DmaMapGuestPage(0x100, 4096));
    assertThat(kv.lastDmaAddr).isEqualTo(addr);
    assertThat(h.acq("&iommu->lock", "vm1")).isZero();
    assertThat(h.acq("&vdev->cache_lock", "v1")).isEqualTo(1);
  }

  @Test
  void dma_rw_crosses_dmas_in_one_hold_and_fails_on_prot_or_holes() {
    Harness h = new Harness(Generation.V5_10, 1);
    Container c = h.vm[0].container();
    h.call(h.qemu[0], c, new Container.MapDma(0, 1 << 20, 0x7f0000000000L, 3));
    h.call(h.qemu[0], c, new Container.MapDma(1 << 20, 1 << 20, 0x7f0000100000L, 1)); // READ only
    h.call(h.qemu[0], h.vgpu[0].group(), new VfioGroup.OpenDevice());
    h.resetLockStats();
    assertThat(h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.DmaRw(0xff000, 12288, false))).isZero();
    assertThat(h.acq("&iommu->lock", "vm1")).isEqualTo(1);
    assertThat(h.acq("&p->alloc_lock", "vm1")).isEqualTo(2); // one get_task_mm per chunk
    assertThat(h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.DmaRw(0x100000, 8, true))).isEqualTo(-EPERM);
    assertThat(h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.DmaRw(0x1ff000, 8192, false))).isEqualTo(-EINVAL);
    assertThat(h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.DmaRw(0, 0, false))).isEqualTo(-EINVAL);
  }

  @Test
  void mm_accounting_and_exit() {
    Harness h = new Harness(Generation.V5_10, 1).mapAndOpen(0, 1L << 30);
    Mm mm = h.vm[0].mm();
    assertThat(h.call(h.gvt[0], mm, new Mm.GetTaskMm())).isEqualTo(1);
    assertThat(h.call(h.gvt[0], mm, new Mm.Mmput())).isZero();
    mm.exit();
    assertThat(h.call(h.gvt[0], mm, new Mm.GetTaskMm())).isZero();
    assertThat(h.call(h.gvt[0], mm, new Mm.LockAcct(1, false, true))).isEqualTo(-ESRCH);
    long[] phys = new long[1];
    assertThat(h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.GroupPinPages(new long[] {1}, 1, 3, phys, false)))
        .isEqualTo(-ENODEV);
  }

  @Test
  void kvm_guest_rw_outside_the_memslots_faults() {
    Harness h = new Harness(Generation.V5_6, 1).mapAndOpen(0, 1L << 30);
    Kvm kvm = h.vm[0].kvm();
    assertThat(h.call(h.gvt[0], kvm, new Kvm.ReadGuest(0x1000, 64))).isZero();
    assertThat(h.call(h.gvt[0], kvm, new Kvm.WriteGuest((1L << 30) - 8, 64))).isEqualTo(-org.vfiosim.kernel.Errno.EFAULT);
  }

  @Test
  void one_kvm_may_bind_only_one_vgpu_per_gpu() {
    Harness h = new Harness(Generation.V5_10, 1, Harness.COSTS, true);
    // a second vGPU of vm1 on the same GPU cannot be opened (__kvmgt_vgpu_exist)
    KernelModel.Vgpu second = h.extra;
    h.call(h.qemu[0], h.vm[0].container(), new Container.MapDma(0, 1L << 30, 0x7f0000000000L, 3));
    assertThat(h.call(h.qemu[0], h.vgpu[0].group(), new VfioGroup.OpenDevice())).isZero();
    assertThat(h.call(h.qemu[0], second.group(), new VfioGroup.OpenDevice())).isEqualTo(-EEXIST);
    // and its failed open undid everything it took
    assertThat(second.group().containerUsers.value).isEqualTo(2);
    assertThat(h.vm[0].container().t1.notifiers()).containsExactly(h.vgpu[0].kvmgt().index);
  }

  @Test
  void unset_container_is_busy_while_anyone_else_holds_the_group() {
    Harness h = new Harness(Generation.V5_10, 1).mapAndOpen(0, 1L << 30);
    VfioGroup g = h.vgpu[0].group();
    assertThat(h.call(h.qemu[0], g, new VfioGroup.UnsetContainer())).isEqualTo(-org.vfiosim.kernel.Errno.EBUSY);
    assertThat(g.containerUsers.value).isEqualTo(4);
    assertThat(h.call(h.qemu[0], g, new VfioGroup.ReleaseDevice())).isZero();
    assertThat(g.containerUsers.value).isEqualTo(2);
  }
}
