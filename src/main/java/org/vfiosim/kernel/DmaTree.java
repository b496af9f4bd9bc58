package org.vfiosim.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * type1's {@code iommu->dma_list}: non-overlapping {@link VfioDma}s keyed by iova range (an
 * rb-tree in the kernel, a TreeMap here: O(log n) per operation). Addresses compare unsigned.
 */
public final class DmaTree implements Iterable<VfioDma> {
  private final TreeMap<Long, VfioDma> byIova = new TreeMap<>(Long::compareUnsigned);

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
    Map.Entry<Long, VfioDma> e = byIova.floorEntry(start);
    if (e != null && overlaps(e.getValue(), start, size)) {
      return e.getValue();
    }
    e = byIova.higherEntry(start);
    if (e != null && overlaps(e.getValue(), start, size)) {
      return e.getValue();
    }
    return null;
  }

  /** The dma containing byte {@code addr} ({@code vfio_find_dma(iommu, addr, 1)}), or null. */
  public VfioDma containing(long addr) {
    return find(addr, 1);
  }

  /** Links a dma ({@code vfio_link_dma()}); overlapping an existing dma is a model bug. */
  public void insert(VfioDma dma) {
    VfioDma clash = find(dma.iova(), dma.size());
    if (clash != null || byIova.containsKey(dma.iova())) {
      throw new IllegalStateException(dma + " overlaps " + (clash != null ? clash : byIova.get(dma.iova())));
    }
    byIova.put(dma.iova(), dma);
  }

  /** Unlinks a dma ({@code vfio_unlink_dma()}); removing one that is not linked is a model bug. */
  public void remove(VfioDma dma) {
    if (!byIova.remove(dma.iova(), dma)) {
      throw new IllegalStateException(dma + " is not in dma_list");
    }
  }

  /** Number of dmas. */
  public int count() {
    return byIova.size();
  }

  public boolean isEmpty() {
    return byIova.isEmpty();
  }

  /**
   * Levels of a balanced binary tree holding {@link #count()} nodes, {@code floor(log2 n) + 1} (0
   * when empty): the nodes a {@code vfio_find_dma} descent visits at most in a well-balanced
   * rb-tree, for search costs. (A red-black tree may be up to twice as deep in the worst case.)
   */
  public int depth() {
    return depthOf(byIova.size());
  }

  /** {@code floor(log2 n) + 1}, 0 for an empty tree: the levels of any balanced tree of n nodes. */
  public static int depthOf(int n) {
    return n <= 0 ? 0 : 32 - Integer.numberOfLeadingZeros(n);
  }

  /** The lowest dma ({@code rb_first}), or null. */
  public VfioDma first() {
    Map.Entry<Long, VfioDma> e = byIova.firstEntry();
    return e == null ? null : e.getValue();
  }

  /** Every dma overlapping {@code [start, start+size)}, by iova (size > 0, no wrap). */
  public List<VfioDma> overlapping(long start, long size) {
    List<VfioDma> out = new ArrayList<>();
    VfioDma d = find(start, size);
    while (d != null) {
      out.add(d);
      Map.Entry<Long, VfioDma> e = byIova.higherEntry(d.iova());
      d = e != null && overlaps(e.getValue(), start, size) ? e.getValue() : null;
    }
    return out;
  }

  /** In-order (ascending iova) read-only iteration. */
  @Override
  public Iterator<VfioDma> iterator() {
    return Collections.unmodifiableCollection(byIova.values()).iterator();
  }

  /** A copy of the dmas in iova order, safe to iterate while removing. */
  public List<VfioDma> snapshot() {
    return new ArrayList<>(byIova.values());
  }

  private static boolean overlaps(VfioDma dma, long start, long size) {
    // vfio_find_dma(): left if start + size <= dma->iova, right if start >= dma->iova + dma->size
    return Long.compareUnsigned(start + size, dma.iova()) > 0
        && Long.compareUnsigned(start, dma.iova() + dma.size()) < 0;
  }
}
