package org.vfiosim.kernel;

/**
 * {@code struct vfio_pfn} (v5.10 type1.c:116): one externally pinned page of a {@link VfioDma}.
 * {@code ref_count} is a plain counter protected by {@code iommu->lock} (v5.7: an atomic_t; the
 * same values either way).
 */
public final class VfioPfn {
  private final long iova;
  private final long pfn;
  int refCount;

  VfioPfn(long iova, long pfn) {
    this.iova = iova;
    this.pfn = pfn;
    this.refCount = 1; // vfio_add_to_pfn_list(): created with ref_count = 1
  }

  /** The page's IOVA (page aligned). */
  public long iova() {
    return iova;
  }

  /** The host pfn pinned for it. */
  public long pfn() {
    return pfn;
  }

  /** {@code vfio_pfn.ref_count}: external pins of this iova; 0 once removed from the pfn_list. */
  public int refCount() {
    return refCount;
  }

  @Override
  public String toString() {
    return "vfio_pfn{iova=0x" + Long.toHexString(iova) + " pfn=0x" + Long.toHexString(pfn)
        + " ref=" + refCount + "}";
  }
}
