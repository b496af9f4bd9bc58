package org.vfiosim.kernel;

import static org.vfiosim.kernel.KernelConstants.DMA_ENTRY_LIMIT_DEFAULT;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * type1's {@code struct vfio_iommu} (v5.10 type1.c:64) without its mutex: the dma tree, {@code
 * dma_avail}, the DMA_UNMAP notifier chain, the external and IOMMU domains (as group counts), and
 * the pure checks of MAP_DMA, UNMAP_DMA, pin/unpin and dma_rw in the kernel's order.
 *
 * <p>The checks are split where the kernel takes {@code iommu->lock}, so the owning actor only has
 * to sequence them: e.g. MAP is {@link #mapIoctlCheck} → (lock) → {@link #mapArgsCheck} → {@link
 * #mapTreeCheck} → {@link #linkDma} → (unlock). Under v5.6 ({@link Generation#mapLocksTwice()})
 * {@code mapArgsCheck} runs before the lock, after {@code vfio_pgsize_bitmap()}'s own lock/unlock;
 * the order of the errors is the same.
 *
 * <p>Not modelled: the v5.8+ dirty bitmaps (only the {@code dirty_page_tracking} flag that UNMAP
 * checks), nesting, IOMMU domains' page sizes (pgsize is always 4K), argsz / copy_from_user errors.
 */
public final class Type1Iommu {
  /** {@code 1 << __ffs(iommu->pgsize_bitmap)}: the smallest IOMMU page, 4K here. */
  public static final long PGSIZE = PAGE_SIZE;
  /** {@code VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP} (uapi, v5.8+). */
  public static final int UNMAP_FLAG_GET_DIRTY_BITMAP = 1;
  /** {@code VFIO_IOMMU_NOTIFY_DMA_UNMAP}: the only event type1 notifiers accept. */
  public static final long VFIO_IOMMU_NOTIFY_DMA_UNMAP = 1;

  private final boolean v2;
  private final int dmaEntryLimit;
  private int dmaAvail;
  private final DmaTree dmaList = new DmaTree();
  private final List<Integer> notifier = new ArrayList<>();
  private final List<long[]> iovaList = new ArrayList<>();
  private int externalGroups;
  private int iommuGroups;
  private boolean dirtyPageTracking;
  private boolean bug;
  private long notifierCalls;
  private long unmapped;
  private long warnings;

  /**
   * {@code vfio_iommu_type1_open()}: {@code dma_avail = dma_entry_limit}.
   *
   * @param v2 TYPE1v2 (or NESTING) rather than TYPE1
   * @param dmaEntryLimit the {@code dma_entry_limit} module parameter at container open
   */
  public Type1Iommu(boolean v2, int dmaEntryLimit) {
    if (dmaEntryLimit < 0) {
      throw new IllegalArgumentException("dma_entry_limit " + dmaEntryLimit);
    }
    this.v2 = v2;
    this.dmaEntryLimit = dmaEntryLimit;
    this.dmaAvail = dmaEntryLimit;
  }

  /** A container with the default {@code dma_entry_limit} of 65535. */
  public Type1Iommu(boolean v2) {
    this(v2, DMA_ENTRY_LIMIT_DEFAULT);
  }

  /** TYPE1v2 (pin/unpin/dma_rw allowed, no bisecting unmaps) rather than TYPE1. */
  public boolean v2() {
    return v2;
  }

  public int dmaEntryLimit() {
    return dmaEntryLimit;
  }

  /** {@code iommu->dma_avail}: mappings still allowed. */
  public int dmaAvail() {
    return dmaAvail;
  }

  /** {@code iommu->dma_list}. */
  public DmaTree dmaList() {
    return dmaList;
  }

  public int dmaCount() {
    return dmaList.count();
  }

  // ---------------------------------------------------------------- notifier chain

  /**
   * {@code vfio_iommu_type1_register_notifier()}: clears DMA_UNMAP from {@code events}; any other
   * bit → -EINVAL. Then {@code blocking_notifier_chain_register()}: equal priorities, so the new
   * notifier goes to the end. Registering the same notifier twice WARNs and returns 0 (v5.x {@code
   * notifier_chain_register()}: "double register detected").
   */
  public int registerNotifier(int id, long events) {
    if ((events & ~VFIO_IOMMU_NOTIFY_DMA_UNMAP) != 0) {
      return -Errno.EINVAL;
    }
    if (notifier.contains(id)) {
      warnings++;
      return 0;
    }
    notifier.add(id);
    return 0;
  }

  /** {@link #registerNotifier(int, long)} for the DMA_UNMAP event. */
  public int registerNotifier(int id) {
    return registerNotifier(id, VFIO_IOMMU_NOTIFY_DMA_UNMAP);
  }

  /** {@code blocking_notifier_chain_unregister()}: 0, or -ENOENT when {@code id} is not registered. */
  public int unregisterNotifier(int id) {
    return notifier.remove(Integer.valueOf(id)) ? 0 : -Errno.ENOENT;
  }

  /** {@code iommu->notifier.head != NULL}: someone registered a DMA_UNMAP notifier. */
  public boolean notifierHead() {
    return !notifier.isEmpty();
  }

  /** Registered notifier ids in call order. */
  public List<Integer> notifiers() {
    return Collections.unmodifiableList(notifier);
  }

  // ---------------------------------------------------------------- domains

  /** {@code attach_group} of an mdev group with no backing IOMMU device: into {@code external_domain}. */
  public void attachExternal() {
    externalGroups++;
  }

  /**
   * {@code detach_group} of an external (mdev) group.
   *
   * @return true when the external domain became empty: the caller then runs {@link
   *     #sanityCheckPfnList()} and, with no IOMMU domain left, {@link #unmapUnpinAll()}
   */
  public boolean detachExternal() {
    if (externalGroups == 0) {
      throw new IllegalStateException("no external group attached");
    }
    return --externalGroups == 0;
  }

  /** {@code attach_group} of a group with a real IOMMU (joins {@code domain_list}). */
  public void attachIommuBacked() {
    iommuGroups++;
  }

  /**
   * {@code detach_group} of an IOMMU-backed group.
   *
   * @return true when it was the last IOMMU domain (then unmap_unpin_all, or reaccount to the
   *     external domain if one exists)
   */
  public boolean detachIommuBacked() {
    if (iommuGroups == 0) {
      throw new IllegalStateException("no IOMMU-backed group attached");
    }
    return --iommuGroups == 0;
  }

  public int externalGroups() {
    return externalGroups;
  }

  public int iommuGroups() {
    return iommuGroups;
  }

  /** {@code IS_IOMMU_CAP_DOMAIN_IN_CONTAINER(iommu)}: {@code !list_empty(&domain_list)}. */
  public boolean iommuCapDomainInContainer() {
    return iommuGroups > 0;
  }

  /**
   * {@code do_accounting = !IS_IOMMU_CAP_DOMAIN_IN_CONTAINER(iommu)} (type1 pin/unpin_pages, §1.8):
   * external pins are charged to locked_vm only when no IOMMU domain already pinned and accounted
   * the pages at MAP time.
   */
  public boolean doAccounting() {
    return !iommuCapDomainInContainer();
  }

  // ---------------------------------------------------------------- state flags and counters

  /** {@code iommu->dirty_page_tracking} (v5.8+). */
  public boolean dirtyPageTracking() {
    return dirtyPageTracking;
  }

  public void setDirtyPageTracking(boolean on) {
    this.dirtyPageTracking = on;
  }

  /**
   * Adds an allowed range {@code [start, last]} to {@code iommu->iova_list}. An empty list (mdev-only
   * container) allows every iova; IOMMU reserved regions (e.g. the x86 MSI window) are not modelled
   * unless a caller adds the allowed ranges here.
   */
  public void addValidIovaRange(long start, long last) {
    if (Long.compareUnsigned(start, last) > 0) {
      throw new IllegalArgumentException("empty iova range");
    }
    iovaList.add(new long[] {start, last});
  }

  /** {@code vfio_iommu_iova_dma_valid(iommu, iova, iova + size - 1)}. */
  public boolean iovaDmaValid(long iova, long size) {
    long last = iova + size - 1;
    for (long[] r : iovaList) {
      if (Long.compareUnsigned(iova, r[0]) >= 0 && Long.compareUnsigned(last, r[1]) <= 0) {
        return true;
      }
    }
    return iovaList.isEmpty(); // a container with a single mdev device has an empty list
  }

  /** True once the container hit BUG() (the unmap retry loop). */
  public boolean bug() {
    return bug;
  }

  /** Records a kernel BUG() in this container. */
  public void markBug() {
    bug = true;
  }

  /** DMA_UNMAP notifier chain calls so far (including calls on an empty chain). */
  public long notifierCalls() {
    return notifierCalls;
  }

  void countNotifierCall() {
    notifierCalls++;
  }

  /** Bytes reported by the last UNMAP_DMA ({@code unmap->size}); 0 when it failed. */
  public long unmapped() {
    return unmapped;
  }

  void setUnmapped(long bytes) {
    unmapped = bytes;
  }

  /** An UNMAP_DMA failed before its walk (argument checks): it reports no size. */
  public void unmapFailed() {
    unmapped = 0;
  }

  /** WARNs hit in this container (pfn_list / notifier sanity check, double notifier register). */
  public long warnings() {
    return warnings;
  }

  /** Zeroes the counters assertions read ({@code notifier_calls}); state is untouched. */
  public void resetCounters() {
    notifierCalls = 0;
  }

  // ---------------------------------------------------------------- MAP_DMA

  /**
   * {@code vfio_iommu_type1_map_dma()} before {@code vfio_dma_do_map()}: flags other than
   * READ|WRITE → -EINVAL. (argsz and copy_from_user are not modelled.) Step 1 of do_map (the u64
   * fields must fit size_t / dma_addr_t / unsigned long) can never fail on x86_64.
   */
  public static int mapIoctlCheck(int flags) {
    if ((flags & ~(Prot.MAP_FLAG_READ | Prot.MAP_FLAG_WRITE)) != 0) {
      return -Errno.EINVAL;
    }
    return 0;
  }

  /**
   * {@code vfio_dma_do_map()} steps 3–4 (under {@code iommu->lock} since v5.8; before it, after the
   * pgsize lookup, in v5.6): {@code !prot || !size || (size|iova|vaddr) & (pgsize-1)} → -EINVAL;
   * iova or vaddr wraps → -EINVAL.
   */
  public static int mapArgsCheck(long iova, long size, long vaddr, int prot) {
    if (prot == 0 || size == 0 || ((size | iova | vaddr) & (PGSIZE - 1)) != 0) {
      return -Errno.EINVAL;
    }
    // Don't allow IOVA or virtual address wrap
    if (Long.compareUnsigned(iova + size - 1, iova) < 0
        || Long.compareUnsigned(vaddr + size - 1, vaddr) < 0) {
      return -Errno.EINVAL;
    }
    return 0;
  }

  /**
   * {@code vfio_dma_do_map()} steps 5–7, under {@code iommu->lock}: overlap → -EEXIST; {@code
   * !dma_avail} → -ENOSPC; outside the allowed iova ranges → -EINVAL.
   */
  public int mapTreeCheck(long iova, long size) {
    if (dmaList.find(iova, size) != null) {
      return -Errno.EEXIST;
    }
    if (dmaAvail == 0) {
      return -Errno.ENOSPC;
    }
    if (!iovaDmaValid(iova, size)) {
      return -Errno.EINVAL;
    }
    return 0;
  }

  /** Every MAP_DMA check in kernel order ({@link #mapIoctlCheck}, {@link #mapArgsCheck}, {@link #mapTreeCheck}). */
  public int checkMap(int flags, long iova, long size, long vaddr) {
    int ret = mapIoctlCheck(flags);
    if (ret == 0) {
      ret = mapArgsCheck(iova, size, vaddr, Prot.fromMapFlags(flags));
    }
    if (ret == 0) {
      ret = mapTreeCheck(iova, size);
    }
    return ret;
  }

  /**
   * {@code vfio_dma_do_map()} step 8: {@code dma_avail--} and link the new dma. The caller has run
   * the checks (calling this when they fail is a model bug). With no IOMMU domain nothing is pinned
   * (step 9); otherwise the caller pins and maps it, and on failure calls {@link #removeDma}.
   */
  public VfioDma linkDma(long iova, long vaddr, long size, int prot, boolean lockCap, MmState task) {
    if (dmaAvail == 0) {
      throw new IllegalStateException("linkDma with dma_avail == 0");
    }
    VfioDma dma = new VfioDma(iova, vaddr, size, prot, lockCap, task);
    dmaList.insert(dma);
    dmaAvail--;
    return dma;
  }

  /**
   * {@code vfio_remove_dma()} bookkeeping: unlink and {@code dma_avail++}. The caller has already
   * done {@code vfio_unmap_unpin()} for IOMMU-mapped pages. Any {@code vfio_pfn} still on the dma is
   * freed with it without unpinning (the kernel leaks those pins and their locked_vm).
   *
   * @return the number of external pins dropped that way (0 on every correct path)
   */
  public int removeDma(VfioDma dma) {
    dmaList.remove(dma);
    dmaAvail++;
    return dma.pinnedCount();
  }

  // ---------------------------------------------------------------- UNMAP_DMA

  /**
   * {@code vfio_iommu_type1_unmap_dma()} flag check: v5.8+ allows only GET_DIRTY_BITMAP, v5.6 no
   * flag at all; otherwise -EINVAL. (argsz and the user bitmap's own checks are not modelled.)
   */
  public static int unmapIoctlCheck(int flags, Generation gen) {
    int allowed = gen == Generation.V5_6 ? 0 : UNMAP_FLAG_GET_DIRTY_BITMAP;
    return (flags & ~allowed) != 0 ? -Errno.EINVAL : 0;
  }

  /**
   * {@code vfio_dma_do_unmap()} steps 2–3: iova misaligned, size 0 or misaligned, or wrap → -EINVAL;
   * GET_DIRTY_BITMAP while tracking is off or with a bitmap pgsize other than the IOMMU's → -EINVAL.
   */
  public int unmapArgsCheck(long iova, long size, boolean getDirtyBitmap, long bitmapPgsize) {
    if ((iova & (PGSIZE - 1)) != 0) {
      return -Errno.EINVAL;
    }
    if (size == 0 || (size & (PGSIZE - 1)) != 0) {
      return -Errno.EINVAL;
    }
    if (Long.compareUnsigned(iova + size - 1, iova) < 0) {
      return -Errno.EINVAL;
    }
    // When dirty tracking is enabled, allow only min supported pgsize
    if (getDirtyBitmap && (!dirtyPageTracking || bitmapPgsize != PGSIZE)) {
      return -Errno.EINVAL;
    }
    return 0;
  }

  /**
   * {@code vfio_dma_do_unmap()} step 4 at {@code again:} (v2 only, no bisecting): a dma containing
   * {@code iova} but not starting there, or one strictly containing the last byte but not ending
   * there → -EINVAL. A v1 container may unmap part of a mapping, so this is always 0 there.
   */
  public int unmapBisectCheck(long iova, long size) {
    if (!v2) {
      return 0;
    }
    VfioDma dma = dmaList.find(iova, 1);
    if (dma != null && dma.iova() != iova) {
      return -Errno.EINVAL;
    }
    dma = dmaList.find(iova + size - 1, 0);
    if (dma != null && dma.iova() + dma.size() != iova + size) {
      return -Errno.EINVAL;
    }
    return 0;
  }

  /** Steps 2–4 for a plain UNMAP (no dirty bitmap). */
  public int checkUnmap(long iova, long size) {
    int ret = unmapArgsCheck(iova, size, false, 0);
    return ret != 0 ? ret : unmapBisectCheck(iova, size);
  }

  /**
   * Starts the {@code again:} loop of {@code vfio_dma_do_unmap()} (step 4–6) after {@link
   * #unmapArgsCheck} passed under the lock.
   *
   * @param current the mm of the process issuing UNMAP ({@code current->mm})
   */
  public UnmapWalk beginUnmap(long iova, long size, MmState current) {
    return new UnmapWalk(this, iova, size, current);
  }

  // ---------------------------------------------------------------- teardown

  /**
   * {@code vfio_sanity_check_pfn_list()} when the external domain empties: WARN (once) if any dma
   * still has a pfn_list, WARN if a notifier is still registered.
   *
   * @return the number of WARNs hit (0, 1 or 2)
   */
  public int sanityCheckPfnList() {
    int hits = 0;
    for (VfioDma dma : dmaList) {
      if (!dma.pfnListEmpty()) {
        hits++;
        break;
      }
    }
    if (notifierHead()) {
      hits++; // mdev vendor driver must unregister notifier
    }
    warnings += hits;
    return hits;
  }

  /**
   * {@code vfio_iommu_unmap_unpin_all()}: {@link #removeDma} of every dma, lowest iova first.
   *
   * @return the removed dmas (their pfn_lists still hold any leaked pins)
   */
  public List<VfioDma> unmapUnpinAll() {
    List<VfioDma> all = dmaList.snapshot();
    for (VfioDma dma : all) {
      removeDma(dma);
    }
    return all;
  }

  // ---------------------------------------------------------------- pin / unpin / rw

  /** {@code vfio_iommu_type1_pin_pages()} before the lock: {@code !iommu->v2} → -EACCES. */
  public int pinPagesUnlockedCheck() {
    return v2 ? 0 : -Errno.EACCES;
  }

  /** {@code vfio_iommu_type1_pin_pages()} under the lock: {@code !iommu->notifier.head} → -EINVAL. */
  public int pinPagesLockedCheck() {
    return notifierHead() ? 0 : -Errno.EINVAL;
  }

  /**
   * Per element of {@code vfio_iommu_type1_pin_pages()}: no dma at the page → -EINVAL; {@code
   * (dma->prot & prot) != prot} → -EPERM. Both unwind the whole call.
   */
  public static int pinDmaCheck(VfioDma dma, int prot) {
    if (dma == null) {
      return -Errno.EINVAL;
    }
    return Prot.has(dma.prot(), prot) ? 0 : -Errno.EPERM;
  }

  /** {@code vfio_iommu_type1_unpin_pages()} before the lock: {@code !iommu->v2} → -EACCES. */
  public int unpinPagesUnlockedCheck() {
    return v2 ? 0 : -Errno.EACCES;
  }

  /**
   * The return expression of {@code vfio_iommu_type1_unpin_pages()}: {@code i > npage ? npage : (i
   * > 0 ? i : -EINVAL)}, where {@code i} elements were processed before the first iova with no dma.
   */
  public static int unpinPagesReturn(int i, int npage) {
    return i > npage ? npage : (i > 0 ? i : -Errno.EINVAL);
  }

  /**
   * {@code vfio_iommu_type1_dma_rw_chunk()} steps 2–3: no dma at the iova → -EINVAL; a write to a
   * dma without IOMMU_WRITE, or any access to a dma without IOMMU_READ → -EPERM.
   */
  public static int dmaRwChunkCheck(VfioDma dma, boolean write) {
    if (dma == null) {
      return -Errno.EINVAL;
    }
    if ((write && (dma.prot() & Prot.IOMMU_WRITE) == 0) || (dma.prot() & Prot.IOMMU_READ) == 0) {
      return -Errno.EPERM;
    }
    return 0;
  }

  /**
   * {@code vfio_iommu_type1_dma_rw_chunk()} steps 4–5: {@code get_task_mm(dma->task)} NULL → -EPERM;
   * a user thread whose mm is not the mapper's → -EFAULT (no copy).
   *
   * @param current the caller's mm, or null for a kernel thread ({@code current->mm == NULL})
   */
  public static int dmaRwMmCheck(VfioDma dma, MmState current) {
    if (!dma.task().alive()) {
      return -Errno.EPERM;
    }
    if (current != null && current != dma.task()) {
      return -Errno.EFAULT;
    }
    return 0;
  }

  /** Bytes one chunk copies: {@code count} clipped to the end of the dma ({@code dma->size - offset}). */
  public static long dmaRwChunkLen(VfioDma dma, long iova, long count) {
    long left = dma.size() - (iova - dma.iova());
    return Long.compareUnsigned(count, left) < 0 ? count : left;
  }

  // ---------------------------------------------------------------- invariants

  /** {@code dma_avail + count == dma_entry_limit}. */
  public boolean dmaAccountingHolds() {
    return dmaAvail >= 0 && (long) dmaAvail + dmaList.count() == dmaEntryLimit;
  }

  /** A description of the first broken invariant, or empty. */
  public Optional<String> checkInvariants() {
    if (!dmaAccountingHolds()) {
      return Optional.of("dma_avail " + dmaAvail + " + dma count " + dmaList.count()
          + " != dma_entry_limit " + dmaEntryLimit);
    }
    VfioDma prev = null;
    for (VfioDma d : dmaList) {
      if (prev != null && Long.compareUnsigned(prev.last(), d.iova()) >= 0) {
        return Optional.of(prev + " overlaps " + d);
      }
      prev = d;
    }
    return Optional.empty();
  }
}
