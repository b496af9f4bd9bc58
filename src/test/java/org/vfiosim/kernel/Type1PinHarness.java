package org.vfiosim.kernel;

import static org.vfiosim.kernel.KernelConstants.PAGE_SHIFT;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import java.util.function.Consumer;

/**
 * Test-only sequencing of the pure pieces the way v5.10 type1 runs them with {@code iommu->lock}
 * held (what the Container actor will do with locks and costs around each step). It lets the tests
 * check §8 cases end to end on the state classes.
 */
final class Type1PinHarness {
  final Type1Iommu iommu;
  final MmState mm;

  Type1PinHarness(Type1Iommu iommu, MmState mm) {
    this.iommu = iommu;
    this.mm = mm;
  }

  /** MAP_DMA at vaddr = 0x7f0000000000 + iova. */
  int map(long iova, long size, int flags) {
    return map(iova, size, GuestBacking.vaddrOfGpa(iova), flags);
  }

  int map(long iova, long size, long vaddr, int flags) {
    int ret = iommu.checkMap(flags, iova, size, vaddr);
    if (ret != 0) {
      return ret;
    }
    VfioDma dma = iommu.linkDma(iova, vaddr, size, Prot.fromMapFlags(flags), mm.capIpcLock(), mm);
    if (iommu.iommuCapDomainInContainer()) {
      // vfio_pin_map_dma(): pin and account every page (lock_acct once per contiguous run; the
      // per-page sum is the same)
      long acct = 0;
      for (long off = 0; off < size; off += PAGE_SIZE) {
        long pfn = mm.vaddrGetPfn(vaddr + off);
        if (pfn < 0) {
          unpinMapped(dma, off);
          mm.accountLockedVm(acct, false, dma.lockCap());
          iommu.removeDma(dma);
          return (int) pfn;
        }
        if (!GuestBacking.isReservedPfn(pfn)) {
          acct++;
        }
      }
      int r = mm.accountLockedVm(acct, true, dma.lockCap());
      if (r != 0) {
        unpinMapped(dma, size);
        iommu.removeDma(dma);
        return r;
      }
      dma.setIommuMapped(true);
    }
    return 0;
  }

  private void unpinMapped(VfioDma dma, long upTo) {
    for (long off = 0; off < upTo; off += PAGE_SIZE) {
      mm.putPfn(mm.backing().pfnOf(dma.vaddr() + off));
    }
  }

  /** UNMAP_DMA by {@code current}; {@code onNotify} plays the chain (null: nobody unpins). */
  int unmap(long iova, long size, MmState current, Consumer<UnmapWalk.Notify> onNotify) {
    int ret = iommu.unmapArgsCheck(iova, size, false, 0);
    if (ret != 0) {
      iommu.setUnmapped(0);
      return ret;
    }
    UnmapWalk w = iommu.beginUnmap(iova, size, current);
    while (true) {
      UnmapWalk.Step s = w.step();
      if (s instanceof UnmapWalk.Notify n) {
        if (onNotify != null) {
          onNotify.accept(n);
        }
      } else if (s instanceof UnmapWalk.Removed r) {
        if (r.dma().iommuMapped()) {
          long unlocked = 0;
          for (long off = 0; off < r.dma().size(); off += PAGE_SIZE) {
            unlocked += mm.putPfn(mm.backing().pfnOf(r.dma().vaddr() + off));
          }
          mm.accountLockedVm(unlocked, false, r.dma().lockCap());
        }
      } else if (s instanceof UnmapWalk.Done d) {
        return d.ret();
      } else {
        return Integer.MIN_VALUE; // BUG
      }
    }
  }

  /** {@code vfio_iommu_type1_pin_pages()}. */
  int pinPages(long[] userPfn, int prot, long[] physPfn) {
    int ret = iommu.pinPagesUnlockedCheck();
    if (ret != 0) {
      return ret;
    }
    ret = iommu.pinPagesLockedCheck();
    if (ret != 0) {
      return ret;
    }
    boolean doAccounting = iommu.doAccounting();
    int i = 0;
    for (; i < userPfn.length; i++) {
      long iova = userPfn[i] << PAGE_SHIFT;
      VfioDma dma = iommu.dmaList().find(iova, PAGE_SIZE);
      ret = Type1Iommu.pinDmaCheck(dma, prot);
      if (ret != 0) {
        break;
      }
      VfioPfn vpfn = dma.iovaGetVfioPfn(iova);
      if (vpfn != null) {
        physPfn[i] = vpfn.pfn();
        continue;
      }
      long pfn = pinPageExternal(dma, dma.vaddrOf(iova), doAccounting);
      if (pfn < 0) {
        ret = (int) pfn;
        break;
      }
      physPfn[i] = pfn;
      dma.addToPfnList(iova, pfn);
    }
    if (i == userPfn.length) {
      return userPfn.length;
    }
    physPfn[i] = 0; // pin_unwind
    for (int j = 0; j < i; j++) {
      long iova = userPfn[j] << PAGE_SHIFT;
      unpinPageExternal(iommu.dmaList().find(iova, PAGE_SIZE), iova, doAccounting);
      physPfn[j] = 0;
    }
    return ret;
  }

  /** {@code vfio_iommu_type1_unpin_pages()}. */
  int unpinPages(long[] userPfn) {
    int ret = iommu.unpinPagesUnlockedCheck();
    if (ret != 0) {
      return ret;
    }
    boolean doAccounting = iommu.doAccounting();
    int i = 0;
    for (; i < userPfn.length; i++) {
      long iova = userPfn[i] << PAGE_SHIFT;
      VfioDma dma = iommu.dmaList().find(iova, PAGE_SIZE);
      if (dma == null) {
        break;
      }
      unpinPageExternal(dma, iova, doAccounting);
    }
    return Type1Iommu.unpinPagesReturn(i, userPfn.length);
  }

  /** {@code vfio_pin_page_external()}: pfn or -errno. */
  private long pinPageExternal(VfioDma dma, long vaddr, boolean doAccounting) {
    MmState task = dma.task();
    if (!task.alive()) {
      return -Errno.ENODEV; // get_task_mm() == NULL
    }
    long pfn = task.vaddrGetPfn(vaddr);
    if (pfn >= 0 && doAccounting && !GuestBacking.isReservedPfn(pfn)) {
      int r = task.accountLockedVm(1, true, dma.lockCap());
      if (r != 0) {
        task.putPfn(pfn);
        return r;
      }
    }
    return pfn;
  }

  /** {@code vfio_unpin_page_external()}. */
  private int unpinPageExternal(VfioDma dma, long iova, boolean doAccounting) {
    VfioPfn vpfn = dma.findVpfn(iova);
    if (vpfn == null) {
      return 0;
    }
    int unlocked = 0;
    if (dma.iovaPutVfioPfn(vpfn)) {
      unlocked = dma.task().putPfn(vpfn.pfn());
    }
    if (doAccounting) {
      dma.task().accountLockedVm(unlocked, false, dma.lockCap());
    }
    return unlocked;
  }

  /** ref_count of the vfio_pfn at iova pfn {@code p}, 0 when none. */
  int refCount(long p) {
    VfioDma dma = iommu.dmaList().find(p << PAGE_SHIFT, PAGE_SIZE);
    VfioPfn v = dma == null ? null : dma.findVpfn(p << PAGE_SHIFT);
    return v == null ? 0 : v.refCount();
  }

  /** Number of vfio_pfn entries in the container. */
  int pinned() {
    int n = 0;
    for (VfioDma d : iommu.dmaList()) {
      n += d.pinnedCount();
    }
    return n;
  }

  static long[] range(long first, int n) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = first + i;
    }
    return a;
  }
}
