package org.vfiosim.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.kernel.Errno.EPERM;

import org.junit.jupiter.api.Test;
import org.vfiosim.kernel.Generation;

/**
 * The what-if variant {@code vfiosim.variants.dma-rw-mm = mmget_not_zero}: Yan Zhao's prototype
 * (reference §5C) takes the mapper's mm in vfio_iommu_type1_dma_rw_chunk by
 * mmget_not_zero(dma->task->mm) instead of get_task_mm(dma->task), so no task_lock.
 */
class DmaRwMmgetTest {
  private static Harness open(boolean mmgetNotZero) {
    return new Harness(Generation.V5_10, 1, Harness.COSTS, false, new KernelModel.Variants(false, mmgetNotZero),
        KernelModel.VmSpec.defaults(1L << 30), 0).mapAndOpen(0, 1L << 30);
  }

  /** Cycles of one page-sized vfio_dma_rw read from the GVT thread, and the reply. */
  private static long[] rw(Harness h, long iova, int len) {
    long r = h.call(h.gvt[0], h.vgpu[0].group(), new VfioGroup.DmaRw(iova, len, false));
    return new long[] {r, h.lastCycles};
  }

  @Test
  void mmget_not_zero_skips_task_lock_and_saves_its_cost_per_chunk() {
    Harness kernel = open(false);
    Harness yan = open(true);
    kernel.resetLockStats();
    yan.resetLockStats();
    long[] k = rw(kernel, 0x10000, 4096);
    long[] y = rw(yan, 0x10000, 4096);
    assertThat(k[0]).isZero();
    assertThat(y[0]).isZero();
    // get_task_mm: task_lock (a spinlock whose line the QEMU thread's wake-ups keep on its CPU) and
    // mmget; mmget_not_zero: the same atomic on mm_users, no task_lock
    assertThat(kernel.acq("&p->alloc_lock", "vm1")).isEqualTo(1);
    assertThat(yan.acq("&p->alloc_lock", "vm1")).isZero();
    var c = Harness.COSTS;
    assertThat(k[1] - y[1]).isEqualTo(c.spinlock.acquire() + c.spinlock.release() + c.atomicBounce);
  }

  @Test
  void mm_users_is_taken_and_dropped_once_per_call_in_both() {
    for (boolean variant : new boolean[] {false, true}) {
      Harness h = open(variant);
      long before = h.vm[0].mm().mmUsers.value;
      assertThat(rw(h, 0x10000, 3 * 4096)[0]).isZero();
      assertThat(h.vm[0].mm().mmUsers.value).as("variant " + variant).isEqualTo(before);
    }
  }

  @Test
  void an_exited_mapper_gives_eperm_in_both() {
    for (boolean variant : new boolean[] {false, true}) {
      Harness h = open(variant);
      h.vm[0].mm().exit();
      long users = h.vm[0].mm().mmUsers.value;
      assertThat(rw(h, 0x10000, 64)[0]).as("variant " + variant).isEqualTo(-EPERM);
      assertThat(h.vm[0].mm().mmUsers.value).isEqualTo(users);
    }
  }
}
