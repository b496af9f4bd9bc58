package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;
import static org.vfiosim.kernel.KernelConstants.SZ_2M;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** §8 cases 16, 17 and 29 across kvmgt's cache and type1 state (sequenced as kvmgt does). */
class KvmgtPinTest {
  private static final long G = 1L << 30;
  private static final int RW = Prot.MAP_FLAG_READ | Prot.MAP_FLAG_WRITE;

  /** {@code gvt_pin_guest_page()}: one type1 pin per 4K page, contiguity and pfn_valid checks. */
  private static int gvtPinGuestPage(Type1PinHarness h, long gfn, long size, long[] basePfn) {
    int total = (int) (size / PAGE_SIZE);
    int npage = 0;
    int ret = 0;
    for (; npage < total; npage++) {
      long[] pfn = new long[1];
      int r = h.pinPages(new long[] {gfn + npage}, Prot.RW, pfn);
      if (r != 1) {
        ret = r;
        break;
      }
      if (GuestBacking.isReservedPfn(pfn[0])) { // !pfn_valid: "not mem backed"
        ret = -Errno.EFAULT;
        npage++;
        break;
      }
      if (npage == 0) {
        basePfn[0] = pfn[0];
      } else if (basePfn[0] + npage != pfn[0]) {
        ret = -Errno.EINVAL;
        npage++;
        break;
      }
    }
    if (ret != 0) {
      h.unpinPages(Type1PinHarness.range(gfn, npage)); // gvt_unpin_guest_page, page by page
    }
    return ret;
  }

  @Test
  void contiguousBackingPinsA2MEntry() {
    MmState mm = new MmState(GuestBacking.contiguous(0, 4 * G));
    Type1PinHarness h = new Type1PinHarness(new Type1Iommu(true), mm);
    h.map(0, 4 * G, RW);
    h.iommu.registerNotifier(1);
    long[] base = new long[1];
    assertThat(gvtPinGuestPage(h, 0x200, SZ_2M, base)).isZero();
    assertThat(h.pinned()).isEqualTo(512);
    assertThat(mm.lockedVm()).isEqualTo(512);
    assertThat(mm.gupCalls()).isEqualTo(512);
  }

  @Test
  void case16ScatteredBackingFailsA2MEntryAtTheSecondPage() {
    MmState mm = new MmState(GuestBacking.scattered(0, 4 * G));
    Type1PinHarness h = new Type1PinHarness(new Type1Iommu(true), mm);
    h.map(0, 4 * G, RW);
    h.iommu.registerNotifier(1);
    assertThat(gvtPinGuestPage(h, 0x200, SZ_2M, new long[1])).isEqualTo(-Errno.EINVAL);
    assertThat(mm.gupCalls()).isEqualTo(2);
    assertThat(h.pinned()).isZero();
    assertThat(mm.pinnedPages()).isZero();
    assertThat(mm.lockedVm()).isZero();
  }

  @Test
  void case17MmioGfnIsNotMemBacked() {
    MmState mm = new MmState(GuestBacking.contiguous(0, 4 * G));
    mm.backing().addMmio(0x7e0000000000L, 0x100000);
    Type1PinHarness h = new Type1PinHarness(new Type1Iommu(true), mm);
    h.map(0x800000000L, 0x100000, 0x7e0000000000L, RW);
    h.iommu.registerNotifier(1);
    assertThat(gvtPinGuestPage(h, 0x800000, PAGE_SIZE, new long[1])).isEqualTo(-Errno.EFAULT);
    assertThat(h.pinned()).isZero();
    assertThat(mm.lockedVm()).isZero();
  }

  @Test
  void case29NotifierDropsEveryCacheEntryInTheDmaThenUnmapSucceeds() {
    MmState mm = new MmState(GuestBacking.contiguous(0, 4 * G));
    Type1PinHarness h = new Type1PinHarness(new Type1Iommu(true), mm);
    GvtCache cache = new GvtCache();
    DmaAddrAllocator gpu = new DmaAddrAllocator();
    h.map(0, 4 * G, RW);
    h.iommu.registerNotifier(1);
    for (long gfn : new long[] {0x10, 0x11, 0x5000}) {
      long[] base = new long[1];
      assertThat(gvtPinGuestPage(h, gfn, PAGE_SIZE, base)).isZero();
      cache.add(gfn, gpu.map(PAGE_SIZE), PAGE_SIZE);
    }
    assertThat(gvtPinGuestPage(h, 0x200, SZ_2M, new long[1])).isZero();
    GvtCache.GvtDma huge = cache.add(0x200, gpu.map(SZ_2M), SZ_2M);
    cache.krefGet(huge); // a second user: the notifier ignores it
    assertThat(mm.lockedVm()).isEqualTo(515);

    long[] seen = new long[2];
    Consumer<UnmapWalk.Notify> notifier = n -> { // intel_vgpu_iommu_notifier
      seen[0] = n.iova();
      seen[1] = n.size();
      for (GvtCache.GvtDma e : cache.entriesInGfnRange(n.iova() / PAGE_SIZE, n.size() / PAGE_SIZE)) {
        gpu.unmap(e.dmaAddr(), e.size());
        h.unpinPages(Type1PinHarness.range(e.gfn(), e.npages()));
        cache.remove(e);
      }
    };
    assertThat(h.unmap(0, 4 * G, mm, notifier)).isZero();
    assertThat(h.iommu.notifierCalls()).isEqualTo(1);
    assertThat(seen).containsExactly(0, 4 * G);
    assertThat(h.iommu.unmapped()).isEqualTo(4 * G);
    assertThat(cache.nrCacheEntries()).isZero();
    assertThat(mm.lockedVm()).isZero();
    assertThat(mm.pinnedPages()).isZero();
    assertThat(gpu.bytesMapped()).isZero();
    assertThat(h.iommu.checkInvariants()).isEmpty();
  }
}
