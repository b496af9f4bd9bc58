package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import org.junit.jupiter.api.Test;

class VfioDmaTest {
  private static final long G = 1L << 30;
  private final MmState mm = new MmState(GuestBacking.contiguous(0, 4 * G));
  private final VfioDma dma = new VfioDma(0, GuestBacking.vaddrOfGpa(0), 4 * G, Prot.RW, false, mm);

  @Test
  void addToPfnListStartsAtRefOne() {
    VfioPfn v = dma.addToPfnList(0x10 * PAGE_SIZE, 1234);
    assertThat(v.refCount()).isEqualTo(1);
    assertThat(v.pfn()).isEqualTo(1234);
    assertThat(dma.findVpfn(0x10 * PAGE_SIZE)).isSameAs(v);
    assertThat(dma.findVpfn(0x11 * PAGE_SIZE)).isNull();
    assertThat(dma.pinnedCount()).isEqualTo(1);
    assertThat(dma.pfnListEmpty()).isFalse();
    assertThatThrownBy(() -> dma.addToPfnList(0x10 * PAGE_SIZE, 1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> dma.addToPfnList(0x10 * PAGE_SIZE + 8, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> dma.addToPfnList(4 * G, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void case8SecondPinOfTheSamePageTakesAReference() {
    long iova = 0x10 * PAGE_SIZE;
    assertThat(dma.iovaGetVfioPfn(iova)).isNull(); // first pin: no vpfn yet → GUP path
    dma.addToPfnList(iova, 77);
    VfioPfn again = dma.iovaGetVfioPfn(iova); // second pin (other call or duplicate in the array)
    assertThat(again).isNotNull();
    assertThat(again.pfn()).isEqualTo(77);
    assertThat(again.refCount()).isEqualTo(2);
    assertThat(dma.pinnedCount()).isEqualTo(1);
  }

  @Test
  void case9UnpinTwiceFreesTheNodeOnlyAtZero() {
    long iova = 0x10 * PAGE_SIZE;
    dma.addToPfnList(iova, 77);
    dma.iovaGetVfioPfn(iova);
    VfioPfn v = dma.findVpfn(iova);
    assertThat(dma.iovaPutVfioPfn(v)).isFalse();
    assertThat(v.refCount()).isEqualTo(1);
    assertThat(dma.findVpfn(iova)).isSameAs(v);
    assertThat(dma.iovaPutVfioPfn(v)).isTrue();
    assertThat(v.refCount()).isZero();
    assertThat(dma.findVpfn(iova)).isNull();
    assertThat(dma.pfnListEmpty()).isTrue();
  }

  @Test
  void case10UnpinOfANeverPinnedPageFindsNothing() {
    // vfio_unpin_page_external(): no vpfn → nothing to put, still success for the caller
    assertThat(dma.findVpfn(0x20 * PAGE_SIZE)).isNull();
    VfioPfn v = dma.addToPfnList(0x20 * PAGE_SIZE, 5);
    assertThat(dma.iovaPutVfioPfn(v)).isTrue();
    // a third put on the freed node is a model bug, not a silent underflow
    assertThatThrownBy(() -> dma.iovaPutVfioPfn(v)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void geometry() {
    VfioDma d = new VfioDma(0x100000, 0x7f0000100000L, 0x200000, Prot.IOMMU_READ, true, mm);
    assertThat(d.last()).isEqualTo(0x2fffff);
    assertThat(d.contains(0x100000)).isTrue();
    assertThat(d.contains(0x2fffff)).isTrue();
    assertThat(d.contains(0x300000)).isFalse();
    assertThat(d.contains(0xfffff)).isFalse();
    assertThat(d.vaddrOf(0x101000)).isEqualTo(0x7f0000101000L);
    assertThat(d.npages()).isEqualTo(512);
    assertThat(d.lockCap()).isTrue();
    assertThat(d.task()).isSameAs(mm);
    // unsigned: a dma at the top of the u64 space contains addresses that are negative as longs
    VfioDma top = new VfioDma(-2 * PAGE_SIZE, 0, PAGE_SIZE, Prot.RW, false, mm);
    assertThat(top.contains(-2 * PAGE_SIZE + 5)).isTrue();
    assertThat(top.contains(5)).isFalse();
  }

  @Test
  void pfnListIsInIovaOrder() {
    dma.addToPfnList(0x30 * PAGE_SIZE, 3);
    dma.addToPfnList(0x10 * PAGE_SIZE, 1);
    dma.addToPfnList(0x20 * PAGE_SIZE, 2);
    assertThat(dma.pfnList()).extracting(VfioPfn::pfn).containsExactly(1L, 2L, 3L);
    assertThatThrownBy(() -> dma.pfnList().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void pfnListOrderIsUnsignedAtTheTopOfTheAddressSpace() {
    // a dma ending at 2^64: its iovas are negative as longs and sort after every positive one
    VfioDma top = new VfioDma(Long.MIN_VALUE - 4 * PAGE_SIZE, 0x7f0000000000L, 8 * PAGE_SIZE, Prot.RW, false, mm);
    top.addToPfnList(Long.MIN_VALUE + PAGE_SIZE, 3);
    top.addToPfnList(Long.MIN_VALUE - PAGE_SIZE, 2);
    top.addToPfnList(Long.MIN_VALUE - 4 * PAGE_SIZE, 1);
    top.addToPfnList(Long.MIN_VALUE, 4);
    assertThat(top.pfnList()).extracting(VfioPfn::pfn).containsExactly(1L, 2L, 4L, 3L);
    assertThat(top.findVpfn(Long.MIN_VALUE).pfn()).isEqualTo(4);
    assertThat(top.iovaGetVfioPfn(Long.MIN_VALUE + PAGE_SIZE).refCount()).isEqualTo(2);
    assertThat(top.findVpfn(Long.MIN_VALUE + 2 * PAGE_SIZE)).isNull();
    assertThatThrownBy(() -> top.addToPfnList(Long.MIN_VALUE, 5)).isInstanceOf(IllegalStateException.class);
    assertThat(top.iovaPutVfioPfn(top.findVpfn(Long.MIN_VALUE))).isTrue();
    assertThat(top.pinnedCount()).isEqualTo(3);
    assertThat(top.pfnList()).extracting(VfioPfn::pfn).containsExactly(1L, 2L, 3L);
  }

  @Test
  void contiguousRunsOfXusExample() {
    // §3.1: {1,5,6,7,9} → runs {1}, {5,6,7}, {9}
    long[] pfns = {1, 5, 6, 7, 9};
    assertThat(dma.getContiguousPagesLength(pfns, 0, 5)).isEqualTo(1);
    assertThat(dma.getContiguousPagesLength(pfns, 1, 4)).isEqualTo(3);
    assertThat(dma.getContiguousPagesLength(pfns, 4, 1)).isEqualTo(1);
    assertThat(dma.getContiguousPagesLength(pfns, 0, 0)).isZero();
  }

  @Test
  void contiguousRunStopsAtAnExistingPinAndAtTheDmaEnd() {
    long[] pfns = {0x10, 0x11, 0x12, 0x13};
    dma.addToPfnList(0x12 * PAGE_SIZE, 9);
    assertThat(dma.getContiguousPagesLength(pfns, 0, 4)).isEqualTo(2);
    VfioDma small = new VfioDma(0x10 * PAGE_SIZE, 0, 3 * PAGE_SIZE, Prot.RW, false, mm);
    assertThat(small.getContiguousPagesLength(pfns, 0, 4)).isEqualTo(3);
  }
}
