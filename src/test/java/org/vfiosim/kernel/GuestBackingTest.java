package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vfiosim.kernel.KernelConstants.GUEST_RAM_VADDR_BASE;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class GuestBackingTest {
  private static final long G = 1L << 30;

  @Test
  void contiguousBackingHasConsecutivePfns() {
    GuestBacking b = GuestBacking.contiguous(3, 4 * G);
    long base = b.pfnOf(GUEST_RAM_VADDR_BASE);
    assertThat(base).isPositive();
    for (long g = 0; g < 1024; g++) {
      assertThat(b.pfnOf(GuestBacking.vaddrOfGpa(g * PAGE_SIZE))).isEqualTo(base + g);
    }
    // an address inside a page maps to that page's pfn
    assertThat(b.pfnOf(GuestBacking.vaddrOfGpa(5 * PAGE_SIZE + 123))).isEqualTo(base + 5);
    assertThat(b.pfnOf(GuestBacking.vaddrOfGpa(4 * G - 1))).isEqualTo(base + (4 * G / PAGE_SIZE) - 1);
    assertThat(GuestBacking.isReservedPfn(base)).isFalse();
  }

  @Test
  void addressOutsideEveryVmaIsEfault() {
    GuestBacking b = GuestBacking.contiguous(0, 4 * G);
    assertThat(b.pfnOf(GuestBacking.vaddrOfGpa(4 * G))).isEqualTo(-Errno.EFAULT);
    assertThat(b.pfnOf(GUEST_RAM_VADDR_BASE - 1)).isEqualTo(-Errno.EFAULT);
    assertThat(b.pfnOf(0)).isEqualTo(-Errno.EFAULT);
  }

  @Test
  void scatteredNeighboursAreNeverContiguousOverAWhole4GGuest() {
    GuestBacking b = GuestBacking.scattered(17, 4 * G);
    long n = 4 * G / PAGE_SIZE;
    long prev = b.ramPfn(0);
    long base = (17 + 1L) * GuestBacking.VM_PFN_WINDOW;
    BitSet seen = new BitSet((int) (2 * n));
    seen.set((int) (prev - base));
    for (long g = 1; g < n; g++) {
      long p = b.ramPfn(g);
      assertThat(Math.abs(p - prev)).as("gfn %d", g).isNotEqualTo(1L);
      int off = (int) (p - base);
      assertThat(off).isBetween(0, (int) (2 * n - 1));
      assertThat(seen.get(off)).as("pfn of gfn %d reused", g).isFalse();
      seen.set(off);
      prev = p;
    }
    assertThat(seen.cardinality()).isEqualTo((int) n);
  }

  @Test
  void scatteredWorksForEverySmallGuestSize() {
    for (int pages = 1; pages <= 70; pages++) {
      GuestBacking b = GuestBacking.scattered(pages, pages * PAGE_SIZE);
      BitSet seen = new BitSet();
      long base = (pages + 1L) * GuestBacking.VM_PFN_WINDOW;
      for (long g = 0; g < pages; g++) {
        long p = b.ramPfn(g);
        if (g > 0) {
          assertThat(Math.abs(p - b.ramPfn(g - 1))).as("n=%d g=%d", pages, g).isNotIn(0L, 1L);
        }
        assertThat(seen.get((int) (p - base))).as("n=%d g=%d", pages, g).isFalse();
        seen.set((int) (p - base));
      }
    }
  }

  @Test
  void scatteredIsDeterministicAndNotTheIdentity() {
    GuestBacking a = GuestBacking.scattered(5, 64 * PAGE_SIZE * 1024);
    GuestBacking b = GuestBacking.scattered(5, 64 * PAGE_SIZE * 1024);
    int monotone = 0;
    for (long g = 0; g < 4096; g++) {
      assertThat(a.ramPfn(g)).isEqualTo(b.ramPfn(g));
      if (g > 0 && a.ramPfn(g) > a.ramPfn(g - 1)) {
        monotone++;
      }
    }
    assertThat(monotone).isLessThan(4095);
  }

  @Test
  void differentVmsNeverSharePfns() {
    long mem = GuestBacking.MAX_MEM;
    GuestBacking a = GuestBacking.scattered(0, mem);
    GuestBacking c = GuestBacking.contiguous(1, mem);
    long n = mem / PAGE_SIZE;
    long aMax = 0;
    long aMin = Long.MAX_VALUE;
    for (long g : new long[] {0, 1, n / 3, n / 2, n - 2, n - 1}) {
      aMax = Math.max(aMax, a.ramPfn(g));
      aMin = Math.min(aMin, a.ramPfn(g));
    }
    assertThat(c.ramPfn(0)).isGreaterThan(aMax);
    assertThat(c.ramPfn(n - 1)).isGreaterThan(aMax);
    assertThat(aMin).isGreaterThanOrEqualTo(GuestBacking.VM_PFN_WINDOW);
    // every RAM pfn of a max-size scattered guest stays below the reserved half of its window
    assertThat(GuestBacking.isReservedPfn(aMax)).isFalse();
  }

  @Test
  void mmioRangesAreReservedPfns() {
    GuestBacking b = GuestBacking.contiguous(2, 4 * G);
    long mmio = 0x7e0000000000L;
    b.addMmio(mmio, 16 * PAGE_SIZE);
    long p0 = b.pfnOf(mmio);
    assertThat(p0).isPositive();
    assertThat(GuestBacking.isReservedPfn(p0)).isTrue();
    assertThat(b.pfnOf(mmio + 15 * PAGE_SIZE)).isEqualTo(p0 + 15);
    assertThat(b.isPfnMap(mmio + 15 * PAGE_SIZE)).isTrue();
    assertThat(b.isRam(mmio)).isFalse();
    assertThat(b.pfnOf(mmio + 16 * PAGE_SIZE)).isEqualTo(-Errno.EFAULT);
    b.addMmio(mmio + 16 * PAGE_SIZE, PAGE_SIZE);
    assertThat(b.pfnOf(mmio + 16 * PAGE_SIZE)).isEqualTo(p0 + 16);
  }

  @Test
  void badMmioRangesAreSetupErrors() {
    GuestBacking b = GuestBacking.contiguous(0, 4 * G);
    b.addMmio(0x100000, 2 * PAGE_SIZE);
    assertThatThrownBy(() -> b.addMmio(0x101000, PAGE_SIZE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.addMmio(0x0ff000, 2 * PAGE_SIZE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.addMmio(GUEST_RAM_VADDR_BASE + G, PAGE_SIZE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.addMmio(0x200800, PAGE_SIZE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.addMmio(0x300000, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GuestBacking.contiguous(0, 4 * G + 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GuestBacking.contiguous(0, 2 * GuestBacking.MAX_MEM))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void backingStateIsConstantInGuestSize() {
    long small = Footprint.of(GuestBacking.scattered(0, PAGE_SIZE));
    assertThat(Footprint.of(GuestBacking.scattered(0, 4 * G))).isEqualTo(small);
    assertThat(Footprint.of(GuestBacking.contiguous(0, GuestBacking.MAX_MEM))).isEqualTo(small);
    assertThat(Footprint.of(new MmState(GuestBacking.scattered(1, 4 * G))))
        .isEqualTo(Footprint.of(new MmState(GuestBacking.scattered(1, PAGE_SIZE))));
    assertThat(small).isLessThan(20);
  }

  @Test
  void fourThousandVmsOf4GFitInAFewMegabytes() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();
    MmState[] vms = new MmState[4096];
    for (int i = 0; i < vms.length; i++) {
      vms[i] = new MmState(GuestBacking.scattered(i, 4 * G));
    }
    System.gc();
    long after = rt.totalMemory() - rt.freeMemory();
    // materialising one entry per guest page would need 4096 × 1M entries; the bound is 2 KiB a VM
    assertThat(after - before).isLessThan(4096L * 2048);
    assertThat(vms[4095].backing().ramPfn(0)).isNotEqualTo(vms[0].backing().ramPfn(0));
  }
}
