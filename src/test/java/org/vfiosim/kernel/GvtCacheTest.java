package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;
import static org.vfiosim.kernel.KernelConstants.SZ_2M;

import org.junit.jupiter.api.Test;

class GvtCacheTest {
  private final GvtCache cache = new GvtCache();
  private final DmaAddrAllocator gpu = new DmaAddrAllocator();

  @Test
  void addFindsInBothTreesWithKrefOne() {
    long addr = gpu.map(PAGE_SIZE);
    GvtCache.GvtDma e = cache.add(0x10, addr, PAGE_SIZE);
    assertThat(e.kref()).isEqualTo(1);
    assertThat(e.npages()).isEqualTo(1);
    assertThat(cache.findGfn(0x10)).isSameAs(e);
    assertThat(cache.findDmaAddr(addr)).isSameAs(e);
    assertThat(cache.findGfn(0x11)).isNull();
    assertThat(cache.findDmaAddr(addr + PAGE_SIZE)).isNull();
    assertThat(cache.nrCacheEntries()).isEqualTo(1);
    assertThat(cache.kref(0x10)).isEqualTo(1);
    assertThat(cache.kref(0x11)).isZero();
    assertThatThrownBy(() -> cache.add(0x10, gpu.map(PAGE_SIZE), PAGE_SIZE)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cache.add(0x11, addr, PAGE_SIZE)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cache.add(0x12, gpu.map(PAGE_SIZE), 0x10000)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void case18SecondMapOfTheSameGfnIsAHit() {
    GvtCache.GvtDma e = cache.add(0x10, gpu.map(PAGE_SIZE), PAGE_SIZE);
    GvtCache.GvtDma hit = cache.findGfn(0x10);
    assertThat(hit.size()).isEqualTo(PAGE_SIZE);
    cache.krefGet(hit);
    assertThat(e.kref()).isEqualTo(2);
    assertThat(hit.dmaAddr()).isEqualTo(e.dmaAddr());
    assertThat(cache.nrCacheEntries()).isEqualTo(1);
    assertThat(gpu.mappings()).isEqualTo(1);
  }

  @Test
  void case19SizeChangeRemovesTheOldEntryRegardlessOfKref() {
    GvtCache.GvtDma old = cache.add(0x200, gpu.map(PAGE_SIZE), PAGE_SIZE);
    cache.krefGet(old);
    cache.krefGet(old);
    GvtCache.GvtDma hit = cache.findGfn(0x200);
    assertThat(hit.size()).isNotEqualTo(SZ_2M);
    gpu.unmap(hit.dmaAddr(), hit.size()); // forced gvt_dma_unmap_page
    cache.remove(hit);
    GvtCache.GvtDma huge = cache.add(0x200, gpu.map(SZ_2M), SZ_2M);
    assertThat(huge.kref()).isEqualTo(1);
    assertThat(huge.npages()).isEqualTo(512);
    assertThat(huge.dmaAddr() % SZ_2M).isZero();
    assertThat(cache.findDmaAddr(old.dmaAddr())).isNull();
    assertThat(cache.nrCacheEntries()).isEqualTo(1);
    // the stale reference can no longer be used
    assertThatThrownBy(() -> cache.krefPut(old)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void case20UnmapByAddressReleasesAtZeroAndIgnoresUnknownAddresses() {
    GvtCache.GvtDma e = cache.add(0x10, gpu.map(PAGE_SIZE), PAGE_SIZE);
    cache.krefGet(e);
    assertThat(cache.krefPut(cache.findDmaAddr(e.dmaAddr()))).isFalse();
    assertThat(cache.krefPut(cache.findDmaAddr(e.dmaAddr()))).isTrue();
    cache.remove(e);
    assertThat(cache.nrCacheEntries()).isZero();
    assertThat(cache.findDmaAddr(e.dmaAddr())).isNull(); // a later unmap is a silent no-op
    assertThatThrownBy(() -> cache.remove(e)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void notifierRangeHitsEntriesStartingInsideIt() {
    cache.add(0x0ff, gpu.map(PAGE_SIZE), PAGE_SIZE);
    GvtCache.GvtDma huge = cache.add(0x000, gpu.map(SZ_2M), SZ_2M); // covers gfn 0..0x1ff
    GvtCache.GvtDma a = cache.add(0x200, gpu.map(PAGE_SIZE), PAGE_SIZE);
    GvtCache.GvtDma b = cache.add(0x3ff, gpu.map(PAGE_SIZE), PAGE_SIZE);
    cache.add(0x400, gpu.map(PAGE_SIZE), PAGE_SIZE);
    cache.krefGet(a);
    assertThat(cache.entriesInGfnRange(0x200, 0x200)).containsExactly(a, b);
    // the 2M entry starts below 0x100, so a range from 0x100 misses it although it overlaps
    assertThat(cache.entriesInGfnRange(0x100, 0x100)).isEmpty();
    assertThat(cache.entriesInGfnRange(0, 1)).containsExactly(huge);
    assertThat(cache.entriesInGfnRange(0, 0)).isEmpty();
    assertThat(cache.entriesInGfnRange(0, 1L << 20)).hasSize(5);
    // the notifier drops hits regardless of kref
    for (GvtCache.GvtDma e : cache.entriesInGfnRange(0x200, 0x200)) {
      cache.remove(e);
    }
    assertThat(cache.nrCacheEntries()).isEqualTo(3);
  }

  @Test
  void destroyTakesTheLowestGfnFirst() {
    cache.add(0x30, gpu.map(PAGE_SIZE), PAGE_SIZE);
    cache.add(0x10, gpu.map(PAGE_SIZE), PAGE_SIZE);
    cache.add(0x20, gpu.map(PAGE_SIZE), PAGE_SIZE);
    StringBuilder order = new StringBuilder();
    GvtCache.GvtDma e;
    while ((e = cache.first()) != null) {
      order.append(Long.toHexString(e.gfn())).append(' ');
      cache.remove(e);
    }
    assertThat(order.toString()).isEqualTo("10 20 30 ");
    assertThat(cache.isEmpty()).isTrue();
  }

  @Test
  void allocatorIsDeterministicAlignedAndNeverReuses() {
    DmaAddrAllocator x = new DmaAddrAllocator();
    long a = x.map(PAGE_SIZE);
    long b = x.map(SZ_2M);
    long c = x.map(PAGE_SIZE);
    assertThat(a).isEqualTo(DmaAddrAllocator.BASE);
    assertThat(b % SZ_2M).isZero();
    assertThat(b).isGreaterThan(a);
    assertThat(c).isEqualTo(b + SZ_2M);
    x.unmap(a, PAGE_SIZE);
    assertThat(x.map(PAGE_SIZE)).isEqualTo(c + PAGE_SIZE);
    assertThat(x.mappings()).isEqualTo(4);
    assertThat(x.unmappings()).isEqualTo(1);
    assertThat(x.bytesMapped()).isEqualTo(SZ_2M + 2 * PAGE_SIZE);
    DmaAddrAllocator y = new DmaAddrAllocator();
    assertThat(y.map(PAGE_SIZE)).isEqualTo(a);
    assertThat(y.map(3 * PAGE_SIZE) % (4 * PAGE_SIZE)).isZero();
    assertThatThrownBy(() -> y.map(100)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> y.unmap(1, PAGE_SIZE)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void gfnsCompareUnsigned() {
    // gfns and dma addresses are u64: one with the top bit set sorts last, and a range may wrap
    long hi = Long.MIN_VALUE + 0x10;
    GvtCache.GvtDma top = cache.add(hi, gpu.map(PAGE_SIZE), PAGE_SIZE);
    GvtCache.GvtDma low = cache.add(0x10, gpu.map(PAGE_SIZE), PAGE_SIZE);
    GvtCache.GvtDma last = cache.add(-1L, gpu.map(PAGE_SIZE), PAGE_SIZE);
    assertThat(cache.entries()).containsExactly(low, top, last);
    assertThat(cache.first()).isSameAs(low);
    assertThat(cache.entriesInGfnRange(hi, 1)).containsExactly(top);
    assertThat(cache.entriesInGfnRange(hi - 1, 2)).containsExactly(top);
    assertThat(cache.entriesInGfnRange(-1L, 0x20)).containsExactly(last); // wraps: the tail only
    assertThat(cache.entriesInGfnRange(0, Long.MAX_VALUE)).containsExactly(low);
    assertThat(cache.findGfn(hi)).isSameAs(top);
    assertThat(cache.findDmaAddr(top.dmaAddr())).isSameAs(top);
    cache.remove(low);
    assertThat(cache.first()).isSameAs(top);
    assertThat(cache.nrCacheEntries()).isEqualTo(2);
  }
}
