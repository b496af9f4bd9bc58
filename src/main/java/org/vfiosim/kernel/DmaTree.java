package org.vfiosim.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * type1's {@code iommu->dma_list}: non-overlapping {@link VfioDma}s keyed by iova range (an
 * rb-tree in the kernel). Here a sorted array searched by bisection: a VM has few dmas and links
 * them rarely (MAP/UNMAP) while every pin and dma_rw looks one up, and a lookup allocates nothing.
 * Addresses compare unsigned.
 */
public final class DmaTree implements Iterable<VfioDma> {
  /** The dmas' iovas, ascending (unsigned), and the dmas in the same order; {@code n} in use. */
  private long[] iovas = new long[8];
  private VfioDma[] dmas = new VfioDma[8];
  private int n;
  /** Structural changes, for fail-fast iteration. */
  private int modCount;

  /**
   * {@code vfio_find_dma(iommu, start, size)}: a dma for which neither {@code start + size <=
   * dma->iova} nor {@code start >= dma->iova + dma->size} holds (u64 arithmetic, exactly the
   * kernel's test; {@code size == 0} therefore finds a dma with {@code iova < start < iova + size}).
   *
   * <p>The kernel returns whichever overlapping node its rb-tree descent meets first, which depends
   * on the tree's shape. The model is deterministic instead: it returns the overlapping dma with the
   * lowest iova. Callers that loop until no dma is found (UNMAP, unmap_unpin_all) end in the same
   * state either way; only the order in which dmas are visited can differ.
   */
  public VfioDma find(long start, long size) {
    int f = floorIndex(start); // the last dma at or below start, then the first above it
    if (f >= 0 && overlaps(dmas[f], start, size)) {
      return dmas[f];
    }
    if (f + 1 < n && overlaps(dmas[f + 1], start, size)) {
      return dmas[f + 1];
    }
    return null;
  }

  /** Index of the highest iova {@code <= key} (unsigned), or -1. */
  private int floorIndex(long key) {
    int lo = 0;
    int hi = n - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(iovas[mid], key);
      if (c == 0) {
        return mid;
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hi;
  }

  /** Index of the dma at exactly {@code iova}, or -1. */
  private int indexOf(long iova) {
    int f = floorIndex(iova);
    return f >= 0 && iovas[f] == iova ? f : -1;
  }

  /** The dma containing byte {@code addr} ({@code vfio_find_dma(iommu, addr, 1)}), or null. */
  public VfioDma containing(long addr) {
    return find(addr, 1);
  }

  /** Links a dma ({@code vfio_link_dma()}); overlapping an existing dma is a model bug. */
  public void insert(VfioDma dma) {
    VfioDma clash = find(dma.iova(), dma.size());
    int same = indexOf(dma.iova());
    if (clash != null || same >= 0) {
      throw new IllegalStateException(dma + " overlaps " + (clash != null ? clash : dmas[same]));
    }
    if (n == iovas.length) {
      iovas = Arrays.copyOf(iovas, 2 * n);
      dmas = Arrays.copyOf(dmas, 2 * n);
    }
    int at = floorIndex(dma.iova()) + 1;
    System.arraycopy(iovas, at, iovas, at + 1, n - at);
    System.arraycopy(dmas, at, dmas, at + 1, n - at);
    iovas[at] = dma.iova();
    dmas[at] = dma;
    n++;
    modCount++;
  }

  /** Unlinks a dma ({@code vfio_unlink_dma()}); removing one that is not linked is a model bug. */
  public void remove(VfioDma dma) {
    int at = indexOf(dma.iova());
    if (at < 0 || dmas[at] != dma) {
      throw new IllegalStateException(dma + " is not in dma_list");
    }
    System.arraycopy(iovas, at + 1, iovas, at, n - at - 1);
    System.arraycopy(dmas, at + 1, dmas, at, n - at - 1);
    n--;
    dmas[n] = null;
    modCount++;
  }

  /** Number of dmas. */
  public int count() {
    return n;
  }

  public boolean isEmpty() {
    return n == 0;
  }

  /**
   * Levels of a balanced binary tree holding {@link #count()} nodes, {@code floor(log2 n) + 1} (0
   * when empty): the nodes a {@code vfio_find_dma} descent visits at most in a well-balanced
   * rb-tree, for search costs. (A red-black tree may be up to twice as deep in the worst case.)
   */
  public int depth() {
    return depthOf(n);
  }

  /** {@code floor(log2 n) + 1}, 0 for an empty tree: the levels of any balanced tree of n nodes. */
  public static int depthOf(int n) {
    return n <= 0 ? 0 : 32 - Integer.numberOfLeadingZeros(n);
  }

  /** The lowest dma ({@code rb_first}), or null. */
  public VfioDma first() {
    return n == 0 ? null : dmas[0];
  }

  /** Every dma overlapping {@code [start, start+size)}, by iova (size > 0, no wrap). */
  public List<VfioDma> overlapping(long start, long size) {
    List<VfioDma> out = new ArrayList<>();
    VfioDma d = find(start, size);
    if (d == null) {
      return out;
    }
    for (int i = indexOf(d.iova()); i < n && overlaps(dmas[i], start, size); i++) {
      out.add(dmas[i]);
    }
    return out;
  }

  /**
   * In-order (ascending iova) read-only iteration; linking or unlinking a dma during it makes the
   * next {@code next()} throw {@link ConcurrentModificationException} (use {@link #snapshot}).
   */
  @Override
  public Iterator<VfioDma> iterator() {
    return new Iterator<>() {
      private final int expected = modCount;
      private int i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public VfioDma next() {
        if (modCount != expected) {
          throw new ConcurrentModificationException();
        }
        if (i >= n) {
          throw new NoSuchElementException();
        }
        return dmas[i++];
      }
    };
  }

  /** A copy of the dmas in iova order, safe to iterate while removing. */
  public List<VfioDma> snapshot() {
    return new ArrayList<>(Arrays.asList(dmas).subList(0, n));
  }

  private static boolean overlaps(VfioDma dma, long start, long size) {
    // vfio_find_dma(): left if start + size <= dma->iova, right if start >= dma->iova + dma->size
    return Long.compareUnsigned(start + size, dma.iova()) > 0
        && Long.compareUnsigned(start, dma.iova() + dma.size()) < 0;
  }
}
