package org.vfiosim.kernel;

import static org.vfiosim.kernel.KernelConstants.PAGE_SHIFT;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import it.unimi.dsi.fastutil.longs.Long2ObjectRBTreeMap;
import java.util.Collection;
import java.util.Collections;

/**
 * {@code struct vfio_dma} (v5.10 type1.c:87): one VFIO_IOMMU_MAP_DMA region and its {@code
 * pfn_list} of external pins (kept as a sorted map iova → {@link VfioPfn}, the kernel's rb-tree).
 *
 * <p>Addresses are u64: they are compared unsigned. The kernel links a new dma with size 0 and sets
 * the size under the same {@code iommu->lock} hold, so nobody can observe the intermediate state;
 * here a dma is built with its final size. The v5.8+ dirty {@code bitmap} is not modelled.
 */
public final class VfioDma {
  private final long iova;
  private final long vaddr;
  private final long size;
  private final int prot;
  private final boolean lockCap;
  private final MmState task;
  private final Long2ObjectRBTreeMap<VfioPfn> pfnList = new Long2ObjectRBTreeMap<>(U64.ORDER);
  private boolean iommuMapped;

  /**
   * @param lockCap {@code capable(CAP_IPC_LOCK)} of the mapper, sampled at MAP time
   * @param task the mapping process ({@code get_task_struct(current->group_leader)})
   */
  public VfioDma(long iova, long vaddr, long size, int prot, boolean lockCap, MmState task) {
    if (size == 0) {
      throw new IllegalArgumentException("empty vfio_dma");
    }
    this.iova = iova;
    this.vaddr = vaddr;
    this.size = size;
    this.prot = prot;
    this.lockCap = lockCap;
    this.task = task;
  }

  public long iova() {
    return iova;
  }

  public long vaddr() {
    return vaddr;
  }

  public long size() {
    return size;
  }

  /** {@link Prot} bits. */
  public int prot() {
    return prot;
  }

  /** {@code capable(CAP_IPC_LOCK)} sampled at MAP time: bypasses RLIMIT_MEMLOCK. */
  public boolean lockCap() {
    return lockCap;
  }

  /** The mapper's mm / task ({@code dma->task}). */
  public MmState task() {
    return task;
  }

  /** {@code dma->iommu_mapped}: pinned and mapped into an IOMMU domain at MAP time. */
  public boolean iommuMapped() {
    return iommuMapped;
  }

  public void setIommuMapped(boolean iommuMapped) {
    this.iommuMapped = iommuMapped;
  }

  /** Last byte, {@code iova + size - 1}. */
  public long last() {
    return iova + size - 1;
  }

  /** True when {@code iova <= addr <= last} (unsigned). */
  public boolean contains(long addr) {
    return Long.compareUnsigned(addr, iova) >= 0 && Long.compareUnsigned(addr, last()) <= 0;
  }

  /** {@code dma->vaddr + (iova - dma->iova)}: the QEMU vaddr behind an iova of this dma. */
  public long vaddrOf(long iovaInDma) {
    return vaddr + (iovaInDma - iova);
  }

  /** Pages in the dma. */
  public long npages() {
    return size >>> PAGE_SHIFT;
  }

  /** {@code vfio_find_vpfn(dma, iova)}: the external pin of {@code iova}, or null. */
  public VfioPfn findVpfn(long pageIova) {
    return pfnList.get(pageIova);
  }

  /**
   * {@code vfio_add_to_pfn_list(dma, iova, pfn)}: a new {@link VfioPfn} with ref_count 1. Adding an
   * iova that already has one, is unaligned or lies outside the dma is a model bug.
   */
  public VfioPfn addToPfnList(long pageIova, long pfn) {
    if ((pageIova & (PAGE_SIZE - 1)) != 0 || !contains(pageIova)) {
      throw new IllegalArgumentException("iova 0x" + Long.toHexString(pageIova) + " not a page of " + this);
    }
    VfioPfn vpfn = new VfioPfn(pageIova, pfn);
    if (pfnList.put(pageIova, vpfn) != null) { // one tree walk; a duplicate ends the run anyway
      throw new IllegalStateException("iova 0x" + Long.toHexString(pageIova) + " already in pfn_list");
    }
    return vpfn;
  }

  /**
   * {@code vfio_iova_get_vfio_pfn(dma, iova)}: finds the pin of {@code iova} and takes one more
   * reference (ref_count++); null when the page is not externally pinned.
   */
  public VfioPfn iovaGetVfioPfn(long pageIova) {
    VfioPfn vpfn = pfnList.get(pageIova);
    if (vpfn != null) {
      vpfn.refCount++;
    }
    return vpfn;
  }

  /**
   * {@code vfio_iova_put_vfio_pfn(dma, vpfn)}: ref_count--; at 0 the node is removed from the
   * pfn_list and this returns true, and the caller must {@code put_pfn()} ({@link MmState#putPfn})
   * and account the unlocked page.
   */
  public boolean iovaPutVfioPfn(VfioPfn vpfn) {
    if (vpfn.refCount <= 0 || pfnList.get(vpfn.iova()) != vpfn) {
      throw new IllegalStateException("put of a vfio_pfn not in this pfn_list: " + vpfn);
    }
    if (--vpfn.refCount == 0) {
      pfnList.remove(vpfn.iova()); // vfio_remove_from_pfn_list()
      return true;
    }
    return false;
  }

  /** {@code RB_EMPTY_ROOT(&dma->pfn_list)}. */
  public boolean pfnListEmpty() {
    return pfnList.isEmpty();
  }

  /** Number of {@code vfio_pfn} nodes (distinct externally pinned pages). */
  public int pinnedCount() {
    return pfnList.size();
  }

  /** The pfn_list in iova order (read-only view). */
  public Collection<VfioPfn> pfnList() {
    return Collections.unmodifiableCollection(pfnList.values());
  }

  /**
   * {@code vfio_get_contiguous_pages_length(dma, &user_pfn[from], npage)} from Xu's contiguous-pin
   * patch v2 (§3.1): the length of the run starting at {@code user_pfn[from]}. Starting at j = 1 it
   * stops at the first j where (a) {@code user_pfn[from+j] != user_pfn[from] + j}, (b) that iova
   * leaves this dma, or (c) that iova already has a {@code vfio_pfn}. {@code npage <= 1} → npage.
   */
  public int getContiguousPagesLength(long[] userPfn, int from, int npage) {
    if (npage <= 1) {
      return npage;
    }
    int j = 1;
    for (; j < npage; j++) {
      long pfn = userPfn[from + j];
      if (pfn != userPfn[from] + j) {
        break;
      }
      long pageIova = pfn << PAGE_SHIFT;
      if (!contains(pageIova) || findVpfn(pageIova) != null) {
        break;
      }
    }
    return j;
  }

  @Override
  public String toString() {
    return "vfio_dma{iova=0x" + Long.toHexString(iova) + " size=0x" + Long.toHexString(size)
        + " vaddr=0x" + Long.toHexString(vaddr) + " prot=" + Prot.toString(prot)
        + " pinned=" + pfnList.size() + "}";
  }
}
