package org.vfiosim.kernel;

import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

/**
 * Host IOMMU addresses that {@code dma_map_page()} returns for one physical GPU (the i915 device's
 * DMA domain): a deterministic bump allocator. Each mapping is aligned to its size rounded up to a
 * power of two, as the IOVA allocator does for size-aligned requests.
 *
 * <p>Freed addresses are never reused. The real intel-iommu allocator does reuse them (and
 * allocates top-down below the DMA mask); never reusing keeps every {@code dma_addr} unique for the
 * lifetime of a run, so kvmgt's dma_addr lookups are unambiguous. The consequence is that the
 * hypothetical stale-unmap hazard of §9 (a late {@code kvmgt_dma_unmap_guest_page} dropping a new
 * entry that reused the address) cannot happen in the model.
 */
public final class DmaAddrAllocator {
  /** First address handed out (4 GiB: clear of low addresses, far below any realistic limit). */
  public static final long BASE = 1L << 32;

  private long next = BASE;
  private long mappings;
  private long unmappings;
  private long bytesMapped;

  /**
   * {@code dma_map_page(dev, page, 0, size, DMA_BIDIRECTIONAL)}: a fresh address for {@code size}
   * bytes (a positive multiple of 4K).
   */
  public long map(long size) {
    if (size <= 0 || size % PAGE_SIZE != 0) {
      throw new IllegalArgumentException("dma_map_page size 0x" + Long.toHexString(size));
    }
    long align = Long.highestOneBit(size);
    if (align != size) {
      align <<= 1;
    }
    long addr = (next + align - 1) & -align;
    next = addr + size;
    mappings++;
    bytesMapped += size;
    return addr;
  }

  /** {@code dma_unmap_page()}: counted, the address is not reused. */
  public void unmap(long dmaAddr, long size) {
    if (Long.compareUnsigned(dmaAddr, BASE) < 0 || Long.compareUnsigned(dmaAddr + size, next) > 0) {
      throw new IllegalArgumentException("dma_unmap_page of 0x" + Long.toHexString(dmaAddr) + " never mapped");
    }
    unmappings++;
    bytesMapped -= size;
  }

  /** {@code dma_map_page} calls so far. */
  public long mappings() {
    return mappings;
  }

  /** {@code dma_unmap_page} calls so far. */
  public long unmappings() {
    return unmappings;
  }

  /** Bytes currently mapped. */
  public long bytesMapped() {
    return bytesMapped;
  }
}
