package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Random MAP / UNMAP / pin sequences against an independent model (a plain list of intervals and
 * the kernel's rules restated): errno, unmapped size, dma_avail + count == dma_entry_limit, no
 * overlap, and locked_vm == vfio_pfn count (GVT-only container) after every operation.
 */
class Type1PropertyTest {
  private static final int RW = Prot.MAP_FLAG_READ | Prot.MAP_FLAG_WRITE;
  private static final int SPACE_PAGES = 256;
  private static final AtomicInteger V2_RUNS = new AtomicInteger();
  private static final AtomicInteger V2_RUNS_NOTIFIED = new AtomicInteger();
  private static final AtomicInteger V2_RUNS_RETRIED = new AtomicInteger();

  @RepeatedTest(60)
  void randomMapUnmapKeepsInvariants(RepetitionInfo rep) {
    long seed = 0xC0FFEEL * 31 + rep.getCurrentRepetition();
    Random r = new Random(seed);
    boolean v2 = rep.getCurrentRepetition() % 4 != 0;
    int limit = 4 + r.nextInt(29);
    MmState mm = new MmState(GuestBacking.scattered(rep.getCurrentRepetition(), SPACE_PAGES * PAGE_SIZE));
    Type1Iommu iommu = new Type1Iommu(v2, limit);
    Type1PinHarness h = new Type1PinHarness(iommu, mm);
    iommu.registerNotifier(1);
    List<long[]> model = new ArrayList<>(); // {iova, size}
    List<Long> pins = new ArrayList<>(); // iova pfns pinned once each (may repeat)

    for (int op = 0; op < 400; op++) {
      String ctx = String.format("seed=%d op=%d v2=%b limit=%d", seed, op, v2, limit);
      int kind = r.nextInt(10);
      long iova = r.nextInt(SPACE_PAGES) * PAGE_SIZE + (r.nextInt(50) == 0 ? 0x800 : 0);
      long size = (1 + r.nextInt(16)) * PAGE_SIZE;
      if (kind < 5) {
        int expect = expectMap(model, iova, size, limit);
        int got = h.map(iova, size, RW);
        assertThat(got).as("map %x+%x %s", iova, size, ctx).isEqualTo(expect);
        if (expect == 0) {
          model.add(new long[] {iova, size});
        }
      } else if (kind < 8) {
        long[] expect = expectUnmap(model, iova, size, v2);
        int[] calls = {0};
        int patience = r.nextInt(6); // the notifier unpins only from its patience-th call on
        Consumer<UnmapWalk.Notify> notifier = n -> { // unpins the whole dma once patient enough
          if (calls[0]++ >= patience) {
            for (int i = pins.size() - 1; i >= 0; i--) {
              long a = pins.get(i) * PAGE_SIZE;
              if (a >= n.iova() && a - n.iova() < n.size()) {
                h.unpinPages(new long[] {pins.get(i)});
                pins.remove(i);
              }
            }
          }
        };
        int got = h.unmap(iova, size, mm, notifier);
        assertThat(got).as("unmap %x+%x %s", iova, size, ctx).isEqualTo((int) expect[0]);
        assertThat(iommu.unmapped()).as("unmapped %s", ctx).isEqualTo(expect[1]);
        assertThat(iommu.bug()).as(ctx).isFalse();
      } else if (v2) {
        long p = r.nextInt(SPACE_PAGES);
        boolean mapped = findModel(model, p * PAGE_SIZE) != null;
        int got = h.pinPages(new long[] {p}, Prot.RW, new long[1]);
        assertThat(got).as("pin %x %s", p, ctx).isEqualTo(mapped ? 1 : -Errno.EINVAL);
        if (got == 1) {
          pins.add(p);
        }
      }
      assertThat(iommu.checkInvariants()).as(ctx).isEmpty();
      assertThat(iommu.dmaAvail() + iommu.dmaCount()).as(ctx).isEqualTo(limit);
      assertThat(iommu.dmaCount()).as(ctx).isEqualTo(model.size());
      for (long[] m : model) {
        VfioDma d = iommu.dmaList().containing(m[0]);
        assertThat(d).as(ctx).isNotNull();
        assertThat(d.iova()).as(ctx).isEqualTo(m[0]);
        assertThat(d.size()).as(ctx).isEqualTo(m[1]);
      }
      assertThat(mm.lockedVm()).as(ctx).isEqualTo(h.pinned());
      assertThat(mm.pinnedPages()).as(ctx).isEqualTo(h.pinned());
      assertThat((long) pins.size()).as(ctx).isEqualTo(sumRefs(iommu));
    }
    if (v2) {
      V2_RUNS.incrementAndGet();
      if (iommu.notifierCalls() > 0) {
        V2_RUNS_NOTIFIED.incrementAndGet();
      }
      if (iommu.notifierCalls() > 1) {
        V2_RUNS_RETRIED.incrementAndGet();
      }
    }
  }

  /** The notifier path and its retries must actually have been exercised. */
  @AfterAll
  static void unmapNotifierPathWasExercised() {
    assertThat(V2_RUNS_NOTIFIED.get()).isGreaterThan(V2_RUNS.get() / 2);
    assertThat(V2_RUNS_RETRIED.get()).isPositive();
  }

  private static long sumRefs(Type1Iommu iommu) {
    long n = 0;
    for (VfioDma d : iommu.dmaList()) {
      for (VfioPfn v : d.pfnList()) {
        n += v.refCount();
      }
    }
    return n;
  }

  private static long[] findModel(List<long[]> model, long addr) {
    for (long[] m : model) {
      if (addr >= m[0] && addr < m[0] + m[1]) {
        return m;
      }
    }
    return null;
  }

  private static int expectMap(List<long[]> model, long iova, long size, int limit) {
    if ((iova & (PAGE_SIZE - 1)) != 0) {
      return -Errno.EINVAL;
    }
    for (long[] m : model) {
      if (iova < m[0] + m[1] && m[0] < iova + size) {
        return -Errno.EEXIST;
      }
    }
    return model.size() == limit ? -Errno.ENOSPC : 0;
  }

  /** {ret, unmapped}; removes from the model what the kernel would remove. */
  private static long[] expectUnmap(List<long[]> model, long iova, long size, boolean v2) {
    if ((iova & (PAGE_SIZE - 1)) != 0) {
      return new long[] {-Errno.EINVAL, 0};
    }
    long end = iova + size;
    if (v2) {
      for (long[] m : model) {
        boolean holdsFirst = iova >= m[0] && iova < m[0] + m[1];
        boolean holdsLastInside = end - 1 > m[0] && end - 1 < m[0] + m[1];
        if ((holdsFirst && m[0] != iova) || (holdsLastInside && m[0] + m[1] != end)) {
          return new long[] {-Errno.EINVAL, 0};
        }
      }
    }
    List<long[]> hit = new ArrayList<>();
    for (long[] m : model) {
      if (iova < m[0] + m[1] && m[0] < end) {
        hit.add(m);
      }
    }
    hit.sort((a, b) -> Long.compare(a[0], b[0]));
    long unmapped = 0;
    for (long[] m : hit) {
      if (!v2 && iova > m[0]) {
        break; // v1: stop at a mapping that starts before the request
      }
      unmapped += m[1];
      model.remove(m);
    }
    return new long[] {0, unmapped};
  }
}
