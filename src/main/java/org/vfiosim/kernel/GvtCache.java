package org.vfiosim.kernel;

import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;
import static org.vfiosim.kernel.KernelConstants.SZ_2M;

import it.unimi.dsi.fastutil.longs.Long2ObjectRBTreeMap;
import java.util.ArrayList;
import java.util.List;

/**
 * kvmgt's per-vGPU DMA cache (v5.10 kvmgt.c:101-135, §1.9): {@code gfn_cache} and {@code
 * dma_addr_cache}, two rb-trees over the same {@link GvtDma} entries, plus {@code
 * nr_cache_entries}. Everything here runs under {@code vdev->cache_lock} in the kernel.
 */
public final class GvtCache {
  /** {@code struct gvt_dma}: one shadow mapping of a guest page (4K) or huge page (2M). */
  public static final class GvtDma {
    private final long gfn;
    private final long dmaAddr;
    private final long size;
    int kref;
    boolean linked;

    GvtDma(long gfn, long dmaAddr, long size) {
      this.gfn = gfn;
      this.dmaAddr = dmaAddr;
      this.size = size;
      this.kref = 1; // __gvt_cache_add(): kref_init
    }

    public long gfn() {
      return gfn;
    }

    /** Host IOMMU address {@code dma_map_page} returned for the i915 device. */
    public long dmaAddr() {
      return dmaAddr;
    }

    /** 4K or 2M. */
    public long size() {
      return size;
    }

    /** Guest pages covered ({@code roundup(size, 4K) / 4K}: 1 or 512). */
    public int npages() {
      return (int) (size / PAGE_SIZE);
    }

    public int kref() {
      return kref;
    }

    @Override
    public String toString() {
      return "gvt_dma{gfn=0x" + Long.toHexString(gfn) + " dma_addr=0x" + Long.toHexString(dmaAddr)
          + " size=0x" + Long.toHexString(size) + " kref=" + kref + "}";
    }
  }

  // Sorted by u64 key like the kernel's rb-trees; primitive keys, so a lookup allocates nothing.
  private final Long2ObjectRBTreeMap<GvtDma> gfnCache = new Long2ObjectRBTreeMap<>(U64.ORDER);
  private final Long2ObjectRBTreeMap<GvtDma> dmaAddrCache = new Long2ObjectRBTreeMap<>(U64.ORDER);

  /** {@code __gvt_cache_find_gfn(vgpu, gfn)}: the entry starting at {@code gfn}, or null. */
  public GvtDma findGfn(long gfn) {
    return gfnCache.get(gfn);
  }

  /** {@code __gvt_cache_find_dma_addr(vgpu, dma_addr)}: exact-address lookup, or null. */
  public GvtDma findDmaAddr(long dmaAddr) {
    return dmaAddrCache.get(dmaAddr);
  }

  /**
   * {@code __gvt_cache_add(vgpu, gfn, dma_addr, size)}: a new entry with kref 1 in both trees,
   * {@code nr_cache_entries++}. kvmgt never adds a gfn it has not first looked up and removed, and
   * the {@link DmaAddrAllocator} never hands out an address twice, so a duplicate is a model bug.
   */
  public GvtDma add(long gfn, long dmaAddr, long size) {
    if (size != PAGE_SIZE && size != SZ_2M) {
      throw new IllegalArgumentException("gvt_dma size must be 4K or 2M: 0x" + Long.toHexString(size));
    }
    if (gfnCache.containsKey(gfn) || dmaAddrCache.containsKey(dmaAddr)) {
      throw new IllegalStateException("duplicate gvt_dma gfn=0x" + Long.toHexString(gfn)
          + " dma_addr=0x" + Long.toHexString(dmaAddr));
    }
    GvtDma e = new GvtDma(gfn, dmaAddr, size);
    gfnCache.put(gfn, e);
    dmaAddrCache.put(dmaAddr, e);
    e.linked = true;
    return e;
  }

  /**
   * {@code __gvt_cache_remove_entry(vgpu, entry)}: unlink from both trees, {@code
   * nr_cache_entries--}, free. The caller has already done {@code gvt_dma_unmap_page} (unpin).
   */
  public void remove(GvtDma e) {
    if (!e.linked || gfnCache.get(e.gfn()) != e) {
      throw new IllegalStateException(e + " is not in the cache");
    }
    gfnCache.remove(e.gfn());
    dmaAddrCache.remove(e.dmaAddr());
    e.linked = false;
  }

  /** {@code kref_get(&entry->ref)}: a cache hit of the same size, or {@code kvmgt_dma_pin_guest_page}. */
  public void krefGet(GvtDma e) {
    if (!e.linked) {
      throw new IllegalStateException("kref_get on a freed " + e);
    }
    e.kref++;
  }

  /**
   * {@code kref_put(&entry->ref, __gvt_dma_release)}: true when the count reached 0; the caller
   * then runs the release ({@code gvt_dma_unmap_page} and {@link #remove}).
   */
  public boolean krefPut(GvtDma e) {
    if (!e.linked || e.kref <= 0) {
      throw new IllegalStateException("kref_put on a freed " + e);
    }
    return --e.kref == 0;
  }

  /** {@code vdev->nr_cache_entries}. */
  public int nrCacheEntries() {
    return gfnCache.size();
  }

  public boolean isEmpty() {
    return gfnCache.isEmpty();
  }

  /** kref of the entry at {@code gfn}, 0 when there is none (the script's {@code cache_kref}). */
  public int kref(long gfn) {
    GvtDma e = gfnCache.get(gfn);
    return e == null ? 0 : e.kref;
  }

  /** {@code rb_first(&vdev->gfn_cache)}: the next victim of {@code gvt_cache_destroy}, or null. */
  public GvtDma first() {
    return gfnCache.isEmpty() ? null : gfnCache.get(gfnCache.firstLongKey());
  }

  /**
   * The hits of {@code intel_vgpu_iommu_notifier()}'s loop over every 4K pfn in {@code [gfn,
   * gfn+npages)}: the entries whose <em>starting</em> gfn lies in the range, in gfn order (a copy,
   * since the caller removes them). A 2M entry starting below the range is not hit even if it
   * overlaps, exactly as the per-pfn {@code __gvt_cache_find_gfn} lookup misses it. The notifier
   * still pays one lookup per pfn: {@code npages} is the lookup count for costs.
   */
  public List<GvtDma> entriesInGfnRange(long gfn, long npages) {
    if (npages <= 0) {
      return List.of();
    }
    long end = gfn + npages;
    boolean wraps = Long.compareUnsigned(end, gfn) < 0;
    return new ArrayList<>(wraps ? gfnCache.tailMap(gfn).values() : gfnCache.subMap(gfn, end).values());
  }

  /** All entries in gfn order (a copy). */
  public List<GvtDma> entries() {
    return new ArrayList<>(gfnCache.values());
  }
}
