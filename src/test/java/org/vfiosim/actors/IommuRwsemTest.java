package org.vfiosim.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.kernel.Errno.EINVAL;
import static org.vfiosim.kernel.Errno.ENOMEM;
import static org.vfiosim.kernel.Errno.EPERM;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfiosim.kernel.Generation;
import org.vfiosim.kernel.GuestBacking;
import org.vfiosim.kernel.MmState;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimMutexSet;
import org.vfiosim.sim.TraceEvent;

/**
 * The what-if variant {@code vfiosim.variants.iommu-lock = rwsem} (Alex Williamson's RFC "vfio/type1:
 * Reduce vfio_iommu.lock contention", Jan 2020): &iommu->lock an rwsem that pin, unpin and
 * vfio_dma_rw take for read, MAP/UNMAP for write, and a &dma->pfn_list_lock per vfio_dma.
 */
class IommuRwsemTest {
  private static final long VADDR = 0x7f0000000000L;
  private static final long HALF = 1L << 29; // two dmas of 512 MiB: [0, HALF) and [HALF, 1 GiB)

  /**
   * VM 1 with guest RAM mapped as two dmas and its vGPU open; the GVT threads of VM 1 and VM 2 are
   * two kvmgt clients of VM 1's container (two vGPUs of one VM sit on two GPUs, each with its threads).
   */
  private static Harness twoDmas(boolean rwsem, Generation gen) {
    Harness h = new Harness(gen, 2, Harness.COSTS, false, new KernelModel.Variants(rwsem, false),
        KernelModel.VmSpec.defaults(1L << 30), 10_000);
    Container c = h.vm[0].container();
    assertThat(h.call(h.qemu[0], c, new Container.MapDma(0, HALF, VADDR, 3))).isZero();
    assertThat(h.call(h.qemu[0], c, new Container.MapDma(HALF, HALF, VADDR + HALF, 3))).isZero();
    assertThat(h.call(h.qemu[0], h.vgpu[0].group(), new VfioGroup.OpenDevice())).isZero();
    h.resetLockStats();
    return h;
  }

  /** vfio_iommu_type1_pin_pages of one page, as kvmgt's vfio_group_pin_pages reaches it. */
  private static Container.PinPages pin(long pfn) {
    return new Container.PinPages(new long[] {pfn}, 1, 3, new long[1], true);
  }

  /** The hold spans of lock class {@code name} (rwsems: NAME-R / NAME-W) by {@code thread} in the last {@link Harness#calls}. */
  private static List<TraceEvent> holds(Harness h, String name, String thread) {
    return h.trace().stream()
        .filter(e -> e.kind() == TraceEvent.Kind.HOLD && e.name().equals(name) && e.threadName().equals(thread)
            && e.start() >= h.callsStart)
        .toList();
  }

  private static boolean overlap(TraceEvent a, TraceEvent b) {
    return a.start() < b.end() && b.start() < a.end();
  }

  private static SimLock lock(Harness h, String cls) {
    return h.k.model.lock(cls, "vm1");
  }

  @Test
  void two_vgpus_of_one_vm_pin_under_the_lock_at_once_where_the_mutex_makes_one_wait() {
    for (boolean rwsem : new boolean[] {false, true}) {
      Harness h = twoDmas(rwsem, Generation.V5_10);
      long[] r = h.calls(new Harness.Start<>(h.gvt[0], h.vm[0].container(), pin(0x10), 0),
          new Harness.Start<>(h.gvt[1], h.vm[0].container(), pin((HALF >> 12) + 0x10), 0));
      assertThat(r).containsExactly(1, 1);
      String name = rwsem ? "&iommu->lock-R" : "&iommu->lock";
      List<TraceEvent> a = holds(h, name, "v1/gvt");
      List<TraceEvent> b = holds(h, name, "v2/gvt");
      assertThat(a).hasSize(1);
      assertThat(b).hasSize(1);
      SimLock iommu = lock(h, "&iommu->lock");
      if (rwsem) {
        assertThat(overlap(a.get(0), b.get(0))).isTrue();
        assertThat(iommu.readStats().acquisitions()).isEqualTo(2);
        assertThat(iommu.readStats().contentions()).isZero();
        assertThat(iommu.writeStats().acquisitions()).isZero();
        // different dmas: their pfn_list_locks are held at the same time too
        List<TraceEvent> pa = holds(h, "&dma->pfn_list_lock", "v1/gvt");
        List<TraceEvent> pb = holds(h, "&dma->pfn_list_lock", "v2/gvt");
        assertThat(overlap(pa.get(0), pb.get(0))).isTrue();
        assertThat(pa.get(0).detail()).isEqualTo("vm1 iova 0x0");
        assertThat(pb.get(0).detail()).isEqualTo("vm1 iova 0x20000000");
        assertThat(lock(h, "&dma->pfn_list_lock").writeStats().contentions()).isZero();
      } else {
        assertThat(overlap(a.get(0), b.get(0))).isFalse();
        assertThat(iommu.writeStats().contentions()).isEqualTo(1);
        assertThat(iommu.writeStats().wait.total()).isPositive();
        assertThat(lock(h, "&dma->pfn_list_lock")).isNull(); // no such class in the kernel as it is
      }
      assertThat(h.vm[0].container().pinnedPages()).isEqualTo(2);
    }
  }

  @Test
  void a_pin_and_a_vfio_dma_rw_share_the_rwsem() {
    Harness h = twoDmas(true, Generation.V5_10);
    long[] r = h.calls(new Harness.Start<>(h.gvt[0], h.vm[0].container(), pin(0x10), 0),
        new Harness.Start<>(h.gvt[1], h.vm[0].container(), new Container.DmaRw(0x40000, 4096, false), 0));
    assertThat(r).containsExactly(1, 0);
    assertThat(overlap(holds(h, "&iommu->lock-R", "v1/gvt").get(0), holds(h, "&iommu->lock-R", "v2/gvt").get(0)))
        .isTrue();
    assertThat(lock(h, "&iommu->lock").readStats().contentions()).isZero();
    // vfio_dma_rw never touches a pfn_list: one pfn_list_lock acquisition, the pin's
    assertThat(lock(h, "&dma->pfn_list_lock").writeStats().acquisitions()).isEqualTo(1);
  }

  @Test
  void two_pins_of_one_dma_serialize_on_its_pfn_list_lock() {
    Harness h = twoDmas(true, Generation.V5_10);
    long[] r = h.calls(new Harness.Start<>(h.gvt[0], h.vm[0].container(), pin(0x10), 0),
        new Harness.Start<>(h.gvt[1], h.vm[0].container(), pin(0x11), 0));
    assertThat(r).containsExactly(1, 1);
    List<TraceEvent> pa = holds(h, "&dma->pfn_list_lock", "v1/gvt");
    List<TraceEvent> pb = holds(h, "&dma->pfn_list_lock", "v2/gvt");
    assertThat(overlap(pa.get(0), pb.get(0))).isFalse();
    SimLock pfnList = lock(h, "&dma->pfn_list_lock");
    assertThat(pfnList.writeStats().acquisitions()).isEqualTo(2);
    assertThat(pfnList.writeStats().contentions()).isEqualTo(1);
    assertThat(pfnList.writeStats().wait.total()).isPositive();
    // ... while both hold &iommu->lock for read
    assertThat(overlap(holds(h, "&iommu->lock-R", "v1/gvt").get(0), holds(h, "&iommu->lock-R", "v2/gvt").get(0)))
        .isTrue();
    assertThat(lock(h, "&iommu->lock").readStats().contentions()).isZero();
  }

  @Test
  void map_dma_waits_for_readers_and_later_readers_queue_behind_it() {
    Harness h = twoDmas(true, Generation.V5_10);
    long[] r = h.calls(new Harness.Start<>(h.gvt[0], h.vm[0].container(), pin(0x10), 0),
        new Harness.Start<>(h.qemu[0], h.vm[0].container(), new Container.MapDma(1L << 30, 2L << 20, VADDR + (1L << 30), 3), 100),
        new Harness.Start<>(h.gvt[1], h.vm[0].container(), pin((HALF >> 12) + 0x10), 200));
    assertThat(r).containsExactly(1, 0, 1);
    TraceEvent reader1 = holds(h, "&iommu->lock-R", "v1/gvt").get(0);
    TraceEvent writer = holds(h, "&iommu->lock-W", "vm1/qemu").get(0);
    TraceEvent reader2 = holds(h, "&iommu->lock-R", "v2/gvt").get(0);
    assertThat(writer.start()).isGreaterThanOrEqualTo(reader1.end()); // down_write waits for the reader
    assertThat(reader2.start()).isGreaterThanOrEqualTo(writer.end()); // a later reader does not overtake it
    SimLock iommu = lock(h, "&iommu->lock");
    assertThat(iommu.writeStats().contentions()).isEqualTo(1);
    assertThat(iommu.readStats().contentions()).isEqualTo(1);
    // the new dma got its pfn_list_lock: 3 made, all live
    SimMutexSet set = h.vm[0].container().pfnListLocks();
    assertThat(set.instances()).isEqualTo(3);
    assertThat(set.live()).isEqualTo(3);
  }

  @Test
  void unmap_frees_the_dma_pfn_list_lock_and_the_count_of_instances_keeps_it() {
    Harness h = twoDmas(true, Generation.V5_10);
    Container c = h.vm[0].container();
    for (int i = 0; i < 50; i++) { // hot-plug churn: map and unmap the same region
      assertThat(h.call(h.qemu[0], c, new Container.MapDma(1L << 30, 2L << 20, VADDR + (1L << 30), 3))).isZero();
      assertThat(h.call(h.qemu[0], c, new Container.UnmapDma(1L << 30, 2L << 20))).isZero();
    }
    assertThat(c.pfnListLocks().live()).isEqualTo(2);
    assertThat(c.pfnListLocks().instances()).isEqualTo(52);
    assertThat(c.pfnListLocks().isHeld()).isFalse();
  }

  @Test
  void errors_unwind_as_with_the_mutex_and_leave_nothing_pinned() {
    for (boolean rwsem : new boolean[] {false, true}) {
      Harness h = twoDmas(rwsem, Generation.V5_10);
      Container c = h.vm[0].container();
      MmState mm = h.vm[0].mm().state;
      // a read-only dma after guest RAM
      assertThat(h.call(h.qemu[0], c, new Container.MapDma(1L << 30, 2L << 20, VADDR + (1L << 30), 1))).isZero();
      long ro = (1L << 30) >> 12;
      long unmapped = (2L << 30) >> 12;
      h.resetLockStats();
      // two pins, then a write pin of the read-only dma: -EPERM, both earlier pins unwound
      assertThat(h.call(h.gvt[0], c, new Container.PinPages(new long[] {0x10, 0x11, ro}, 3, 3, new long[3], false)))
          .as("rwsem " + rwsem).isEqualTo(-EPERM);
      assertThat(c.pinnedPages()).isZero();
      assertThat(mm.lockedVm()).isZero();
      if (rwsem) { // two pins, two unwinds, each under the dma's pfn_list_lock; none for the failing element
        assertThat(lock(h, "&dma->pfn_list_lock").writeStats().acquisitions()).isEqualTo(4);
      }
      assertThat(h.call(h.gvt[0], c, new Container.PinPages(new long[] {0x10, unmapped}, 2, 3, new long[2], false)))
          .isEqualTo(-EINVAL);
      assertThat(c.pinnedPages()).isZero();
      assertThat(mm.lockedVm()).isZero();
      assertThat(c.pfnListLocks() == null || !c.pfnListLocks().isHeld()).isTrue();
    }
  }

  @Test
  void rlimit_memlock_enomem_unwinds_the_same_in_every_generation() {
    for (Generation g : Generation.values()) {
      long[] results = new long[2];
      for (int v = 0; v < 2; v++) {
        KernelModel.VmSpec spec = new KernelModel.VmSpec(1L << 30, 2, false, true, false,
            GuestBacking.Layout.CONTIGUOUS, 65535);
        Harness h = new Harness(g, 1, Harness.COSTS, false, new KernelModel.Variants(v == 1, false), spec, 0).mapAndOpen(0, 1L << 30);
        Container c = h.vm[0].container();
        results[v] = h.call(h.gvt[0], c, new Container.PinPages(new long[] {0x10, 0x11, 0x12}, 3, 3, new long[3], false));
        assertThat(c.pinnedPages()).as(g.id()).isZero();
        assertThat(h.vm[0].mm().state.lockedVm()).as(g.id()).isZero();
        assertThat(h.vm[0].mm().state.pinnedPages()).as(g.id()).isZero();
      }
      assertThat(results).as(g.id()).containsExactly(-ENOMEM, -ENOMEM);
    }
  }

  @Test
  void unpin_takes_the_rwsem_for_read_and_each_page_s_pfn_list_lock() {
    Harness h = twoDmas(true, Generation.V5_10);
    long[] pfns = {0x10, 0x11, (HALF >> 12) + 1};
    assertThat(h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.GroupPinPages(pfns, 3, 3, new long[3], false)))
        .isEqualTo(3);
    h.resetLockStats();
    assertThat(h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.GroupUnpinPages(pfns, 3, false))).isEqualTo(3);
    assertThat(h.vm[0].container().pinnedPages()).isZero();
    SimLock iommu = lock(h, "&iommu->lock");
    assertThat(iommu.readStats().acquisitions()).isEqualTo(1);
    assertThat(iommu.writeStats().acquisitions()).isZero();
    assertThat(lock(h, "&dma->pfn_list_lock").writeStats().acquisitions()).isEqualTo(3);
  }

  @Test
  void v56_pgsize_lookup_takes_the_rwsem_for_read_and_do_map_for_write() {
    Harness h = twoDmas(true, Generation.V5_6);
    assertThat(h.call(h.qemu[0], h.vm[0].container(),
        new Container.MapDma(1L << 30, 2L << 20, VADDR + (1L << 30), 3))).isZero();
    SimLock iommu = lock(h, "&iommu->lock");
    assertThat(iommu.readStats().acquisitions()).isEqualTo(1); // vfio_pgsize_bitmap
    assertThat(iommu.writeStats().acquisitions()).isEqualTo(1); // vfio_dma_do_map
  }

  @Test
  void contiguous_runs_hold_the_pfn_list_lock_across_the_bulk_pin() {
    Harness h = twoDmas(true, Generation.V5_10_CONTIG);
    long[] pfns = {1, 5, 6, 7, 9};
    assertThat(h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.GroupPinPages(pfns, 5, 3, new long[5], false)))
        .isEqualTo(5);
    assertThat(lock(h, "&dma->pfn_list_lock").writeStats().acquisitions()).isEqualTo(3); // one per run
    assertThat(h.vm[0].container().pinnedPages()).isEqualTo(5);
  }
}
