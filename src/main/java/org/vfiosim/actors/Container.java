package org.vfiosim.actors;

import static org.vfiosim.kernel.Errno.EFAULT;
import static org.vfiosim.kernel.Errno.EINVAL;
import static org.vfiosim.kernel.Errno.ENODEV;
import static org.vfiosim.kernel.Errno.ENOMEM;
import static org.vfiosim.kernel.Errno.EPERM;
import static org.vfiosim.kernel.KernelConstants.PAGE_SHIFT;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.vfiosim.kernel.GuestBacking;
import org.vfiosim.kernel.Prot;
import org.vfiosim.kernel.Type1Iommu;
import org.vfiosim.kernel.UnmapWalk;
import org.vfiosim.kernel.VfioDma;
import org.vfiosim.kernel.VfioPfn;
import org.vfiosim.run.Finding;
import org.vfiosim.sim.CallSite;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.FramePool;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimMutexSet;
import org.vfiosim.sim.SimRwsem;
import org.vfiosim.sim.SimThread;

/**
 * A VFIO container ({@code /dev/vfio/vfio} of one QEMU) with its type1 IOMMU driver ({@code struct
 * vfio_iommu}): {@code &iommu->lock}, the dma tree and pfn lists ({@link Type1Iommu}), the
 * DMA_UNMAP notifier chain and its rwsem, and {@code &container->group_lock}. Handles QEMU's
 * MAP_DMA / UNMAP_DMA and the type1 ops the VFIO core calls (pin, unpin, dma_rw, notifiers,
 * detach).
 */
public final class Container extends SimActor<Container.Msg> {

  /** Protocol. */
  public sealed interface Msg
      permits MapDma, UnmapDma, PinPages, UnpinPages, DmaRw, RegisterNotifier, UnregisterNotifier, UnsetGroup {}

  /** VFIO_IOMMU_MAP_DMA from QEMU ({@code vfio_iommu_type1_map_dma}). */
  public record MapDma(long iova, long size, long vaddr, int flags) implements Msg {}

  /** VFIO_IOMMU_UNMAP_DMA from QEMU ({@code vfio_iommu_type1_unmap_dma}); the size unmapped is in {@link #unmapped()}. */
  public record UnmapDma(long iova, long size) implements Msg {}

  /**
   * {@code vfio_iommu_type1_pin_pages}: pins {@code npage} iova pfns, writes the host pfns into
   * {@code phys}. {@code byKvmgt} tells the invariant check whose references these are.
   */
  public record PinPages(long[] pfns, int npage, int prot, long[] phys, boolean byKvmgt) implements Msg {}

  /** {@code vfio_iommu_type1_unpin_pages}. */
  public record UnpinPages(long[] pfns, int npage, boolean byKvmgt) implements Msg {}

  /** {@code vfio_iommu_type1_dma_rw}; the caller's task ({@code current->mm}) comes from the thread. */
  public record DmaRw(long iova, long len, boolean write) implements Msg {}

  /** {@code vfio_iommu_type1_register_notifier}: {@code nb} on the DMA_UNMAP chain. */
  public record RegisterNotifier(Kvmgt nb, long events) implements Msg {}

  /** {@code vfio_iommu_type1_unregister_notifier}. */
  public record UnregisterNotifier(Kvmgt nb) implements Msg {}

  /** {@code __vfio_group_unset_container}: detach {@code group}; the last group releases the driver. */
  public record UnsetGroup(VfioGroup group) implements Msg {}

  private final KernelModel k;
  final String vm;
  /** type1's state: dma tree, pfn lists, dma_avail, notifier chain, domains. */
  public final Type1Iommu t1;
  /** {@code &iommu->lock}: the kernel's mutex, or the RFC's rwsem ({@link #iommuRwsem}, the same lock). */
  final SimLock iommuLock;
  /** {@code &iommu->lock} as the RFC's rw_semaphore; null when it is the kernel's mutex. */
  private final SimRwsem iommuRwsem;
  final SimRwsem groupLock;
  final SimRwsem notifierRwsem;
  /** The RFC's {@code &dma->pfn_list_lock}s of this container's dmas, reported as one instance; null without it. */
  private final SimMutexSet pfnListLocks;
  /** Each live dma's {@code pfn_list_lock} (looked up, never iterated). */
  private final IdentityHashMap<VfioDma, SimMutex> pfnListLockOf;
  final Mm mm;
  /** Registered DMA_UNMAP notifier blocks by id (the kvmgt instance's index). */
  private final List<Kvmgt> notifierBlocks = new ArrayList<>();
  /**
   * {@code container->iommu_driver}: type1 is set from the start (script-format.md: {@code vm}
   * gives "a container with the type1 driver"); the last group's detach releases it.
   */
  boolean driverSet = true;
  private int groupsAttached;
  /** vfio_pfn references taken by callers other than kvmgt (script pins), for the invariant check. */
  long otherRefs;
  final List<Finding> findings = new ArrayList<>();

  // Frames of the hot paths (pin, unpin, dma_rw), reused (see FramePool).
  private final FramePool<PinPagesFrame> pinPagesFrames = new FramePool<>(PinPagesFrame::new);
  private final FramePool<UnpinPagesFrame> unpinPagesFrames = new FramePool<>(UnpinPagesFrame::new);
  private final FramePool<DmaRwFrame> dmaRwFrames = new FramePool<>(DmaRwFrame::new);
  private final FramePool<PinPageExternal> pinPageExternals = new FramePool<>(PinPageExternal::new);
  private final FramePool<UnpinPageExternal> unpinPageExternals = new FramePool<>(UnpinPageExternal::new);

  Container(KernelModel k, String vm, Domain d, boolean v2, int dmaEntryLimit, Mm mm) {
    super(vm + "/container");
    this.k = k;
    this.vm = vm;
    this.t1 = new Type1Iommu(v2, dmaEntryLimit);
    if (k.variants.iommuRwsem()) {
      this.iommuRwsem = k.model.rwsem(k.iommuLock, vm, d);
      this.iommuLock = iommuRwsem;
    } else {
      this.iommuRwsem = null;
      this.iommuLock = k.model.mutex(k.iommuLock, vm, d);
    }
    this.groupLock = k.model.rwsem(k.containerGroupLock, vm, d);
    this.notifierRwsem = k.model.rwsem(k.iommuNotifierRwsem, vm, d);
    this.pfnListLocks = k.variants.iommuRwsem() ? k.model.mutexSet(k.pfnListLock, vm, d) : null;
    this.pfnListLockOf = k.variants.iommuRwsem() ? new IdentityHashMap<>() : null;
    this.mm = mm;
  }

  /** {@code &iommu->lock} of this container (a {@link SimRwsem} with the RFC variant). */
  public SimLock iommuLock() {
    return iommuLock;
  }

  /** The RFC's {@code &dma->pfn_list_lock}s of this container (null without the variant). */
  public SimMutexSet pfnListLocks() {
    return pfnListLocks;
  }

  /**
   * The paths the RFC (2/3, 3/3 and Yan's vfio_dma_rw) moved to down_read(&iommu->lock): pin,
   * unpin, dma_rw, vfio_pgsize_bitmap. Without it, mutex_lock.
   */
  private boolean lockIommuRead(SimThread t, CallSite site) {
    return iommuRwsem != null ? t.lockRead(iommuRwsem, site) : t.lock(iommuLock, site);
  }

  private void unlockIommuRead(SimThread t) {
    if (iommuRwsem != null) {
      t.unlockRead(iommuRwsem);
    } else {
      t.unlock(iommuLock);
    }
  }

  /** The RFC's mutex_init(&dma->pfn_list_lock) in vfio_dma_do_map, for a dma just linked. */
  private void pfnListLockInit(VfioDma dma) {
    if (pfnListLocks != null) {
      pfnListLockOf.put(dma, pfnListLocks.add(vm + " iova 0x" + Long.toHexString(dma.iova())));
    }
  }

  /** A dma is freed (vfio_remove_dma): its pfn_list_lock with it. */
  private void pfnListLockFree(VfioDma dma) {
    if (pfnListLocks != null) {
      pfnListLocks.remove(pfnListLockOf.remove(dma));
    }
  }

  /** mutex_lock(&dma->pfn_list_lock) with the RFC variant (true: held, go on); nothing without it. */
  private boolean pfnListLock(SimThread t, VfioDma dma, CallSite site) {
    return pfnListLocks == null || t.lock(pfnListLockOf.get(dma), site);
  }

  /** mutex_unlock(&dma->pfn_list_lock) with the RFC variant; nothing without it. */
  private void pfnListUnlock(SimThread t, VfioDma dma) {
    if (pfnListLocks != null) {
      t.unlock(pfnListLockOf.get(dma));
    }
  }

  /** Whether this container hit BUG() (its later callers get {@code BUG}). */
  public boolean crashed() {
    return t1.bug();
  }

  /** Bytes the last UNMAP_DMA reported. */
  public long unmapped() {
    return t1.unmapped();
  }

  /** The container also holds an IOMMU-backed group (setup): MAP_DMA pins and accounts every page. */
  void attachIommuBackedGroup() {
    t1.attachIommuBacked();
    groupsAttached++;
    driverSet = true;
  }

  /** VFIO_GROUP_SET_CONTAINER of an mdev group (setup): type1 attach_group into the external domain. */
  void attachExternalGroup() {
    t1.attachExternal();
    groupsAttached++;
    driverSet = true;
  }

  /** Zeroes the counters assertions read ({@code notifier_calls}). */
  public void resetCounters() {
    t1.resetCounters();
  }

  private long rbSearchDma() {
    return k.costs.rbSearch(t1.dmaCount());
  }

  @Override
  protected KFrame receive(SimThread t, Msg msg) {
    if (msg instanceof PinPages m) {
      return pinPagesFrames.take().init(m);
    }
    if (msg instanceof UnpinPages m) {
      return unpinPagesFrames.take().init(m);
    }
    if (msg instanceof DmaRw m) {
      return dmaRwFrames.take().init(m);
    }
    if (msg instanceof MapDma m) {
      return new MapDmaFrame(m);
    }
    if (msg instanceof UnmapDma m) {
      return new UnmapDmaFrame(m);
    }
    if (msg instanceof RegisterNotifier m) {
      return new NotifierRegFrame(m.nb(), m.events(), true);
    }
    if (msg instanceof UnregisterNotifier m) {
      return new NotifierRegFrame(m.nb(), 0, false);
    }
    return new UnsetGroupFrame(((UnsetGroup) msg).group());
  }

  // ---------------------------------------------------------------- pin / unpin

  /**
   * vfio_pin_page_external() (v5.10 type1.c:587): get_task_mm (NULL → -ENODEV), vaddr_get_pfn,
   * then with do_accounting a vfio_lock_acct(+1) (failure → put_pfn and that errno), mmput.
   * Returns the pfn or -errno.
   */
  private final class PinPageExternal extends KFrame {
    private VfioDma dma;
    private long vaddr;
    private boolean doAcct;
    private long pfn;
    private long result;

    PinPageExternal init(VfioDma dma, long vaddr, boolean doAcct) {
      this.dma = dma;
      this.vaddr = vaddr;
      this.doAcct = doAcct;
      this.pfn = 0;
      this.result = 0;
      return this;
    }

    @Override
    protected void recycle() {
      dma = null;
      pinPageExternals.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            t.send(mm, Mm.GET_TASK_MM, 0);
            return;
          case 1:
            if (t.retval == 0) {
              t.ret(-ENODEV);
              return;
            }
            pc = 2;
            t.send(mm, new Mm.VaddrGetPfn(vaddr), 0);
            return;
          case 2:
            result = t.retval;
            if (result >= 0) {
              pfn = result;
              if (doAcct && !GuestBacking.isReservedPfn(pfn)) {
                pc = 3;
                t.send(mm, new Mm.LockAcct(1, dma.lockCap(), true), 0);
                return;
              }
            }
            pc = 5;
            continue;
          case 3:
            if (t.retval != 0) {
              result = t.retval; // -ENOMEM over RLIMIT_MEMLOCK (pr_warn), -ESRCH
              pc = 4;
              t.send(mm, new Mm.PutPfn(pfn), 0);
              return;
            }
            pc = 5;
            continue;
          case 4:
            pc = 5;
            continue;
          case 5:
            pc = 6;
            t.send(mm, Mm.MMPUT, 0);
            return;
          case 6:
            t.ret(result);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_pin_page_external";
    }
  }

  /**
   * vfio_unpin_page_external() (v5.10 type1.c:614): no vfio_pfn → 0; else one reference dropped
   * (at 0: put_pfn, the node freed) and, with do_accounting, vfio_lock_acct(-unlocked).
   */
  private final class UnpinPageExternal extends KFrame {
    private VfioDma dma;
    private long iova;
    private boolean doAcct;
    private boolean byKvmgt;
    private long unlocked;

    UnpinPageExternal init(VfioDma dma, long iova, boolean doAcct, boolean byKvmgt) {
      this.dma = dma;
      this.iova = iova;
      this.doAcct = doAcct;
      this.byKvmgt = byKvmgt;
      this.unlocked = 0;
      return this;
    }

    @Override
    protected void recycle() {
      dma = null;
      unpinPageExternals.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0: {
            t.cost(k.costs.rbSearch(dma.pinnedCount()));
            VfioPfn vpfn = dma.findVpfn(iova);
            if (vpfn == null) {
              t.ret(0);
              return;
            }
            if (!byKvmgt) {
              otherRefs--;
            }
            if (dma.iovaPutVfioPfn(vpfn)) { // ref 0: put_pfn, vfio_remove_from_pfn_list
              pc = 1;
              t.send(mm, new Mm.PutPfn(vpfn.pfn()), 0);
              return;
            }
            pc = 2;
            continue;
          }
          case 1:
            unlocked = t.retval;
            t.cost(k.costs.kfree);
            pc = 2;
            continue;
          case 2:
            if (doAcct && unlocked != 0) {
              pc = 3;
              t.send(mm, new Mm.LockAcct(-unlocked, dma.lockCap(), true), 0);
              return;
            }
            t.ret(unlocked);
            return;
          case 3:
            t.ret(unlocked);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_unpin_page_external";
    }
  }

  /**
   * vfio_iommu_type1_pin_pages() (v5.10 type1.c:631): -EACCES on a v1 container; under
   * &iommu->lock: no notifier → -EINVAL; per element: no dma → -EINVAL, prot → -EPERM, an existing
   * vfio_pfn → ref++, else vfio_pin_page_external + vfio_add_to_pfn_list. Any error unwinds every
   * earlier element (all or nothing). With Xu's patch (v5.10-contig) a run of contiguous,
   * not-yet-pinned iovas in one dma is pinned by one GUP and accounted once.
   */
  private final class PinPagesFrame extends KFrame {
    private PinPages m;
    private boolean doAcct;
    private int i;
    private int err;
    private int j;
    private VfioDma dma;
    private long iova;
    private int fallbackUntil;
    private int runLen;

    PinPagesFrame init(PinPages m) {
      this.m = m;
      this.doAcct = false;
      this.i = 0;
      this.err = 0;
      this.j = 0;
      this.dma = null;
      this.iova = 0;
      this.fallbackUntil = 0;
      this.runLen = 0;
      return this;
    }

    @Override
    protected void recycle() {
      m = null;
      dma = null;
      pinPagesFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0: {
            if (crashed()) {
              t.ret(RET_BUG);
              return;
            }
            t.cost(k.costs.callEntry);
            int r = t1.pinPagesUnlockedCheck();
            if (r != 0) {
              t.ret(r);
              return;
            }
            pc = 1;
            if (!lockIommuRead(t, KernelModel.AT_PIN_PAGES)) {
              return;
            }
            continue;
          }
          case 1: {
            int r = t1.pinPagesLockedCheck();
            if (r != 0) {
              unlockIommuRead(t);
              t.ret(r);
              return;
            }
            doAcct = t1.doAccounting();
            i = 0;
            pc = 2;
            continue;
          }
          case 2: { // for (i = 0; i < npage; i++)
            if (i >= m.npage()) {
              unlockIommuRead(t);
              t.ret(m.npage());
              return;
            }
            iova = m.pfns()[i] << PAGE_SHIFT;
            t.cost(rbSearchDma());
            dma = t1.dmaList().find(iova, PAGE_SIZE);
            int r = Type1Iommu.pinDmaCheck(dma, m.prot());
            if (r != 0) {
              err = r;
              pc = 20;
              continue;
            }
            pc = 4;
            if (!pfnListLock(t, dma, KernelModel.AT_PIN_PAGES)) {
              return; // the RFC's 3/3: mutex_lock(&dma->pfn_list_lock) after the prot check
            }
            continue;
          }
          case 4: {
            t.cost(k.costs.rbSearch(dma.pinnedCount()));
            VfioPfn vpfn = dma.iovaGetVfioPfn(iova);
            if (vpfn != null) {
              pfnListUnlock(t, dma);
              m.phys()[i] = vpfn.pfn();
              if (!m.byKvmgt()) {
                otherRefs++;
              }
              i++;
              pc = 2;
              continue;
            }
            if (k.gen.contiguousPin() && i >= fallbackUntil) {
              runLen = dma.getContiguousPagesLength(m.pfns(), i, m.npage() - i);
              // The code Xu measured (v1, §3.4): with more than one element left,
              // vfio_iommu_type1_get_contiguous_pages_length looks the dma up again and tries
              // vfio_iova_get_vfio_pfn on each element it examines; every run, a one-page run
              // too, goes through the bulk helper (v2 sends those to vfio_pin_page_external).
              int left = m.npage() - i;
              if (left > 1) {
                t.cost(rbSearchDma() + (long) Math.min(runLen, left - 1) * k.costs.rbSearch(dma.pinnedCount()));
              }
              // The RFC never met Xu's patch: vfiosim holds the dma's pfn_list_lock across the run's
              // bulk pin (the run lies in this one dma), as the per-page path holds it per page.
              pc = 10; // runLen >= 1: at least this element is left
              t.call(new PinContiguous(dma, iova, runLen, doAcct, m.phys(), i, m.byKvmgt()));
              return;
            }
            pc = 3;
            t.call(pinPageExternals.take().init(dma, dma.vaddrOf(iova), doAcct));
            return;
          }
          case 3: {
            long r = t.retval;
            if (r < 0) {
              pfnListUnlock(t, dma);
              err = (int) r;
              pc = 20;
              continue;
            }
            t.cost(k.costs.kzalloc + k.costs.rbSearch(dma.pinnedCount())); // vfio_add_to_pfn_list
            dma.addToPfnList(iova, r);
            pfnListUnlock(t, dma);
            m.phys()[i] = r;
            if (!m.byKvmgt()) {
              otherRefs++;
            }
            i++;
            pc = 2;
            continue;
          }
          case 10: { // after a contiguous run: r pages pinned (> 0), or fall back page by page
            long r = t.retval;
            pfnListUnlock(t, dma);
            if (r == -ENOMEM) {
              err = -ENOMEM; // accounting failed: the run was unwound by the helper
              pc = 20;
              continue;
            }
            if (r > 0) {
              i += (int) r;
            }
            fallbackUntil = i + runLen - (int) Math.max(0, r); // == i once the whole run is pinned
            pc = 2;
            continue;
          }
          case 20: // pin_unwind: for (j = 0; j < i; j++) vfio_unpin_page_external()
            j = 0;
            pc = 21;
            continue;
          case 21: {
            if (j >= i) {
              unlockIommuRead(t);
              t.ret(err);
              return;
            }
            iova = m.pfns()[j] << PAGE_SHIFT;
            t.cost(rbSearchDma());
            dma = t1.dmaList().find(iova, PAGE_SIZE);
            m.phys()[j] = 0;
            j++;
            if (dma == null) {
              continue;
            }
            pc = 23;
            if (!pfnListLock(t, dma, KernelModel.AT_PIN_PAGES)) {
              return;
            }
            continue;
          }
          case 23:
            pc = 22;
            t.call(unpinPageExternals.take().init(dma, iova, doAcct, m.byKvmgt()));
            return;
          case 22:
            pfnListUnlock(t, dma);
            pc = 21;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_iommu_type1_pin_pages";
    }
  }

  /**
   * Xu's vfio_iommu_type1_pin_contiguous_pages → vfio_pin_contiguous_pages_external (v1 as
   * reviewed, with the v2 changes, §3.2): get_task_mm once; one bulk pin_user_pages_remote under
   * one mmap_read_lock; vfio_add_to_pfn_list for each page; one vfio_lock_acct for the run
   * (failure → the run is unpinned and removed, -ENOMEM); mmput. Returns pages pinned (the caller
   * pins the rest of the run page by page), or 0 when the bulk GUP pinned nothing.
   */
  private final class PinContiguous extends KFrame {
    private final VfioDma dma;
    private final long iova0;
    private final int len;
    private final boolean doAcct;
    private final long[] phys;
    private final int at;
    private final boolean byKvmgt;
    private long[] pfns;
    private int pinned;
    private int k2;
    private long acctErr;

    PinContiguous(VfioDma dma, long iova0, int len, boolean doAcct, long[] phys, int at, boolean byKvmgt) {
      this.dma = dma;
      this.iova0 = iova0;
      this.len = len;
      this.doAcct = doAcct;
      this.phys = phys;
      this.at = at;
      this.byKvmgt = byKvmgt;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            t.send(mm, Mm.GET_TASK_MM, 0);
            return;
          case 1:
            if (t.retval == 0) {
              t.ret(0); // no mm: the per-page path reports -ENODEV
              return;
            }
            pfns = new long[len];
            pc = 2;
            t.send(mm, new Mm.PinUserPagesRemote(dma.vaddrOf(iova0), len, pfns), 0);
            return;
          case 2:
            pinned = (int) Math.max(0, t.retval);
            pc = 3;
            t.send(mm, Mm.MMPUT, 0);
            return;
          case 3:
            if (pinned == 0) {
              t.ret(0);
              return;
            }
            for (int p = 0; p < pinned; p++) {
              long iova = iova0 + ((long) p << PAGE_SHIFT);
              t.cost(k.costs.kzalloc + k.costs.rbSearch(dma.pinnedCount()));
              dma.addToPfnList(iova, pfns[p]);
              phys[at + p] = pfns[p];
            }
            if (!byKvmgt) {
              otherRefs += pinned;
            }
            if (doAcct) {
              pc = 4;
              t.send(mm, new Mm.LockAcct(pinned, dma.lockCap(), true), 0);
              return;
            }
            t.ret(pinned);
            return;
          case 4:
            if (t.retval == 0) {
              t.ret(pinned);
              return;
            }
            acctErr = t.retval;
            k2 = 0;
            pc = 5;
            continue;
          case 5: { // unwind the run: vfio_iova_put_vfio_pfn for each page
            if (k2 >= pinned) {
              if (!byKvmgt) {
                otherRefs -= pinned;
              }
              t.ret(acctErr);
              return;
            }
            VfioPfn v = dma.findVpfn(iova0 + ((long) k2 << PAGE_SHIFT));
            phys[at + k2] = 0;
            k2++;
            if (v != null && dma.iovaPutVfioPfn(v)) {
              pc = 6;
              t.send(mm, new Mm.PutPfn(v.pfn()), 0);
              return;
            }
            continue;
          }
          case 6:
            pc = 5;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_pin_contiguous_pages_external";
    }
  }

  /**
   * vfio_iommu_type1_unpin_pages() (v5.10 type1.c:737): -EACCES on v1; under &iommu->lock each
   * element's dma (none → stop), vfio_unpin_page_external. Returns {@code i > npage ? npage : (i >
   * 0 ? i : -EINVAL)}.
   */
  private final class UnpinPagesFrame extends KFrame {
    private UnpinPages m;
    private boolean doAcct;
    private int i;
    private VfioDma dma;
    private long iova;

    UnpinPagesFrame init(UnpinPages m) {
      this.m = m;
      this.doAcct = false;
      this.i = 0;
      this.dma = null;
      this.iova = 0;
      return this;
    }

    @Override
    protected void recycle() {
      m = null;
      dma = null;
      unpinPagesFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0: {
            if (crashed()) {
              t.ret(RET_BUG);
              return;
            }
            t.cost(k.costs.callEntry);
            int r = t1.unpinPagesUnlockedCheck();
            if (r != 0) {
              t.ret(r);
              return;
            }
            pc = 1;
            if (!lockIommuRead(t, KernelModel.AT_UNPIN_PAGES)) {
              return;
            }
            continue;
          }
          case 1:
            doAcct = t1.doAccounting();
            i = 0;
            pc = 2;
            continue;
          case 2: {
            if (i >= m.npage()) {
              pc = 4;
              continue;
            }
            iova = m.pfns()[i] << PAGE_SHIFT;
            t.cost(rbSearchDma());
            dma = t1.dmaList().find(iova, PAGE_SIZE);
            if (dma == null) {
              pc = 4;
              continue;
            }
            pc = 5; // the RFC's 3/3: vfio_unpin_page_external under the dma's pfn_list_lock
            if (!pfnListLock(t, dma, KernelModel.AT_UNPIN_PAGES)) {
              return;
            }
            continue;
          }
          case 5:
            pc = 3;
            t.call(unpinPageExternals.take().init(dma, iova, doAcct, m.byKvmgt()));
            return;
          case 3:
            pfnListUnlock(t, dma);
            i++;
            pc = 2;
            continue;
          case 4:
            unlockIommuRead(t);
            t.ret(Type1Iommu.unpinPagesReturn(i, m.npage()));
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_iommu_type1_unpin_pages";
    }
  }

  // ---------------------------------------------------------------- dma_rw

  /**
   * vfio_iommu_type1_dma_rw() (v5.10 type1.c:2960): the whole copy under one &iommu->lock hold,
   * chunk by chunk (one per vfio_dma): find_dma (-EINVAL), prot (-EPERM, READ always needed),
   * get_task_mm of the mapper (NULL → -EPERM), kthread_use_mm in a kernel thread or -EFAULT in a
   * user thread of another process, the copy (all or nothing per chunk), unuse, mmput. Chunks
   * already copied stay copied when a later one fails.
   */
  private final class DmaRwFrame extends KFrame {
    private DmaRw m;
    private long iova;
    private long count;
    private VfioDma dma;
    private long chunk;
    private boolean kthread;
    private boolean gotMm;
    private long result;

    DmaRwFrame init(DmaRw m) {
      this.m = m;
      this.iova = 0;
      this.count = 0;
      this.dma = null;
      this.chunk = 0;
      this.kthread = false;
      this.gotMm = false;
      this.result = 0;
      return this;
    }

    @Override
    protected void recycle() {
      m = null;
      dma = null;
      dmaRwFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            if (crashed()) {
              t.ret(RET_BUG);
              return;
            }
            t.cost(k.costs.callEntry);
            iova = m.iova();
            count = m.len();
            pc = 1;
            if (!lockIommuRead(t, KernelModel.AT_DMA_RW)) { // Yan's B+V+S evaluation: down_read
              return;
            }
            continue;
          case 1: { // while (count > 0): vfio_iommu_type1_dma_rw_chunk
            if (count <= 0) {
              result = 0;
              pc = 9;
              continue;
            }
            t.cost(rbSearchDma());
            dma = t1.dmaList().find(iova, 1);
            int r = Type1Iommu.dmaRwChunkCheck(dma, m.write());
            if (r != 0) {
              result = r;
              pc = 9;
              continue;
            }
            if (k.variants.dmaRwMmgetNotZero()) {
              // Yan's prototype (§5C): mm = dma->task->mm; mmget_not_zero(mm), no task_lock
              pc = 12;
              if (!t.atomic(mm.mmUsers)) {
                return;
              }
              continue;
            }
            pc = 2;
            t.send(mm, Mm.GET_TASK_MM, 0); // get_task_mm(dma->task)
            return;
          }
          case 12: // mmget_not_zero: an exited task has no mm (NULL is taken as no mm: -EPERM)
            gotMm = mm.state.alive();
            if (gotMm) {
              mm.mmUsers.value++;
            }
            pc = 13;
            continue;
          case 2:
            gotMm = t.retval != 0;
            pc = 13;
            continue;
          case 13: {
            if (!gotMm) {
              result = -EPERM;
              pc = 9;
              continue;
            }
            Task cur = task(t);
            kthread = cur == null || cur.isKthread();
            if (!kthread && cur.mm() != mm) {
              result = -EFAULT; // a user thread of another process: no copy
              pc = 5;
              continue;
            }
            if (kthread) {
              t.cost(k.costs.kthreadUseMm);
            }
            chunk = Type1Iommu.dmaRwChunkLen(dma, iova, count);
            pc = 3;
            t.send(mm, new Mm.CopyUser(dma.vaddrOf(iova), chunk, m.write()), 0);
            return;
          }
          case 3:
            result = t.retval;
            if (kthread) {
              t.cost(k.costs.kthreadUnuseMm);
            }
            pc = 5;
            continue;
          case 5:
            pc = 6;
            t.send(mm, Mm.MMPUT, 0);
            return;
          case 6:
            if (result != 0) {
              pc = 9;
              continue;
            }
            iova += chunk;
            count -= chunk;
            pc = 1;
            continue;
          case 9:
            unlockIommuRead(t);
            t.ret(result);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_iommu_type1_dma_rw";
    }
  }

  // ---------------------------------------------------------------- MAP_DMA

  /**
   * vfio_iommu_type1_map_dma() → vfio_dma_do_map() (v5.10 type1.c:1299): flags (-EINVAL), then
   * under &iommu->lock the argument checks (-EINVAL; v5.6 does them before, after its own
   * pgsize lookup lock round trip), overlap (-EEXIST), dma_avail (-ENOSPC), then link the dma. With
   * an IOMMU domain in the container every page is pinned and accounted (vfio_pin_map_dma).
   */
  private final class MapDmaFrame extends KFrame {
    private final MapDma m;
    private int prot;
    private VfioDma dma;
    private long done;
    private long runStartPfn;
    private long runPages;
    private long lockAcct;
    private long pfn;
    private long result;
    private long undo;

    MapDmaFrame(MapDma m) {
      this.m = m;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0: {
            begin(t, k.opMapDma, m.size() >>> PAGE_SHIFT, k.costs.callEntry);
            if (crashed()) {
              leave(t, RET_BUG);
              return;
            }
            if (!driverSet) {
              leave(t, -EINVAL); // vfio_fops_unl_ioctl() with no iommu driver
              return;
            }
            int r = Type1Iommu.mapIoctlCheck(m.flags());
            if (r != 0) {
              leave(t, r);
              return;
            }
            prot = Prot.fromMapFlags(m.flags());
            if (k.gen.mapLocksTwice()) { // vfio_pgsize_bitmap() takes and drops the lock first
              pc = 1;
              if (!lockIommuRead(t, KernelModel.AT_PGSIZE_BITMAP)) { // the RFC's 2/3: for read
                return;
              }
              continue;
            }
            pc = 2;
            continue;
          }
          case 1: {
            unlockIommuRead(t);
            int r = Type1Iommu.mapArgsCheck(m.iova(), m.size(), m.vaddr(), prot);
            if (r != 0) {
              leave(t, r);
              return;
            }
            pc = 2;
            continue;
          }
          case 2:
            pc = 3;
            if (!t.lock(iommuLock, KernelModel.AT_DO_MAP)) {
              return;
            }
            continue;
          case 3: {
            int r = k.gen.mapLocksTwice() ? 0 : Type1Iommu.mapArgsCheck(m.iova(), m.size(), m.vaddr(), prot);
            if (r == 0) {
              t.cost(rbSearchDma());
              r = t1.mapTreeCheck(m.iova(), m.size());
            }
            if (r != 0) {
              t.unlock(iommuLock);
              leave(t, r);
              return;
            }
            t.cost(k.costs.kzalloc + k.costs.atomicRmw + rbSearchDma()); // kzalloc, get_task_struct, link
            Task cur = task(t);
            Mm mapper = cur != null && cur.mm() != null ? cur.mm() : mm;
            dma = t1.linkDma(m.iova(), m.vaddr(), m.size(), prot, mapper.state.capIpcLock(), mapper.state);
            pfnListLockInit(dma);
            if (!t1.iommuCapDomainInContainer()) {
              t.unlock(iommuLock); // no IOMMU domain (GVT only): nothing is pinned
              leave(t, 0);
              return;
            }
            done = 0;
            pc = 10;
            continue;
          }
          // ---- vfio_pin_map_dma(): vfio_pin_pages_remote per physically contiguous run
          case 10: {
            if (done >= dma.npages()) {
              dma.setIommuMapped(true);
              t.unlock(iommuLock);
              leave(t, 0);
              return;
            }
            if (!mm.state.alive()) { // "this code path is only user initiated": !current->mm
              result = -ENODEV;
              pc = 30;
              continue;
            }
            runPages = 0;
            lockAcct = 0;
            pc = 11;
            t.send(mm, new Mm.VaddrGetPfn(dma.vaddr() + (done << PAGE_SHIFT)), 0);
            return;
          }
          case 11: { // the first page of a run
            if (t.retval < 0) {
              result = t.retval;
              pc = 30;
              continue;
            }
            runStartPfn = t.retval;
            runPages = 1;
            if (!GuestBacking.isReservedPfn(runStartPfn) && dma.findVpfn(dma.iova() + (done << PAGE_SHIFT)) == null) {
              if (mm.state.overMemlock(1, dma.lockCap())) {
                result = -ENOMEM;
                pc = 31; // put_pfn of this page, then fail
                continue;
              }
              lockAcct++;
            }
            pc = 12;
            continue;
          }
          case 12: { // lock the consecutive pages from pfn_base
            if (done + runPages >= dma.npages()) {
              pc = 14;
              continue;
            }
            pc = 13;
            t.send(mm, new Mm.VaddrGetPfn(dma.vaddr() + ((done + runPages) << PAGE_SHIFT)), 0);
            return;
          }
          case 13: {
            long r = t.retval;
            if (r < 0) {
              pc = 14;
              continue;
            }
            if (r != runStartPfn + runPages
                || GuestBacking.isReservedPfn(r) != GuestBacking.isReservedPfn(runStartPfn)) {
              pfn = r;
              pc = 15; // put_pfn(pfn) and end the run
              t.send(mm, new Mm.PutPfn(pfn), 0);
              return;
            }
            long iovaP = dma.iova() + ((done + runPages) << PAGE_SHIFT);
            if (!GuestBacking.isReservedPfn(r) && dma.findVpfn(iovaP) == null) {
              if (mm.state.overMemlock(lockAcct + 1, dma.lockCap())) {
                pfn = r;
                result = -ENOMEM;
                pc = 32; // put_pfn(pfn), then unpin the run
                t.send(mm, new Mm.PutPfn(pfn), 0);
                return;
              }
              lockAcct++;
            }
            runPages++;
            pc = 12;
            continue;
          }
          case 14: // out: vfio_lock_acct(dma, lock_acct, false)
            pc = 16;
            t.send(mm, new Mm.LockAcct(lockAcct, dma.lockCap(), false), 0);
            return;
          case 15:
            pc = 14;
            continue;
          case 16:
            if (t.retval != 0) {
              result = t.retval;
              undo = runPages;
              pc = 33;
              continue;
            }
            t.cost(k.costs.iommuMap); // vfio_iommu_map of the run
            done += runPages;
            pc = 10;
            continue;
          case 30: // failure before this run pinned anything: vfio_remove_dma
            pc = 40;
            continue;
          case 31:
            pc = 30;
            t.send(mm, new Mm.PutPfn(runStartPfn), 0);
            return;
          case 32:
            undo = runPages;
            pc = 33;
            continue;
          case 33: { // unpin_out: put_pfn every page of this run
            if (undo == 0) {
              pc = 40;
              continue;
            }
            undo--;
            pc = 33;
            t.send(mm, new Mm.PutPfn(runStartPfn + undo), 0);
            return;
          }
          case 40: // vfio_remove_dma: unmap and unpin what earlier runs mapped
            pc = 41;
            t.call(new UnmapUnpin(dma, done));
            return;
          case 41:
            t1.removeDma(dma);
            pfnListLockFree(dma);
            t.cost(k.costs.kfree);
            t.unlock(iommuLock);
            leave(t, result);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_dma_do_map";
    }
  }

  /**
   * vfio_unmap_unpin() of an IOMMU-mapped dma: iommu_unmap, put_pfn of every mapped page, and
   * vfio_lock_acct(locked - unlocked) where pages still held by external pins stay accounted.
   */
  private final class UnmapUnpin extends KFrame {
    private final VfioDma dma;
    private final long pages;
    private long p;
    private long unlocked;
    private long locked;
    private long base;

    UnmapUnpin(VfioDma dma, long pages) {
      this.dma = dma;
      this.pages = pages;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            if (pages == 0) {
              t.ret(0);
              return;
            }
            t.cost(k.costs.iommuMap);
            base = dma.vaddr();
            p = 0;
            pc = 1;
            continue;
          case 1: {
            if (p >= pages) {
              pc = 3;
              continue;
            }
            long pfnP = mm.state.backing().pfnOf(base + (p << PAGE_SHIFT));
            if (dma.findVpfn(dma.iova() + (p << PAGE_SHIFT)) != null) {
              locked++;
            }
            p++;
            if (pfnP < 0) {
              continue;
            }
            pc = 2;
            t.send(mm, new Mm.PutPfn(pfnP), 0);
            return;
          }
          case 2:
            unlocked += t.retval;
            pc = 1;
            continue;
          case 3:
            if (locked - unlocked != 0) {
              pc = 4;
              t.send(mm, new Mm.LockAcct(locked - unlocked, dma.lockCap(), true), 0);
              return;
            }
            t.ret(0);
            return;
          case 4:
            t.ret(0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_unmap_unpin";
    }
  }

  // ---------------------------------------------------------------- UNMAP_DMA

  /**
   * vfio_iommu_type1_unmap_dma() → vfio_dma_do_unmap() (v5.10 type1.c:1071): checks under
   * &iommu->lock (v5.6: before it, after the pgsize lookup), then the again: loop ({@link
   * UnmapWalk}). A dma with external pins drops the lock, calls the DMA_UNMAP chain for the whole
   * dma, retakes the lock and starts over; the 12th pass on the same dma is BUG().
   */
  private final class UnmapDmaFrame extends KFrame {
    private final UnmapDma m;
    private UnmapWalk walk;
    private long result;

    UnmapDmaFrame(UnmapDma m) {
      this.m = m;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0: {
            begin(t, k.opUnmapDma, m.size() >>> PAGE_SHIFT, k.costs.callEntry);
            if (crashed()) {
              leave(t, RET_BUG);
              return;
            }
            if (!driverSet) {
              leave(t, -EINVAL);
              return;
            }
            if (k.gen.mapLocksTwice()) {
              pc = 1;
              if (!lockIommuRead(t, KernelModel.AT_PGSIZE_BITMAP)) { // the RFC's 2/3: for read
                return;
              }
              continue;
            }
            pc = 2;
            continue;
          }
          case 1: {
            unlockIommuRead(t);
            int r = t1.unmapArgsCheck(m.iova(), m.size(), false, 0);
            if (r != 0) {
              unmappedZero();
              leave(t, r);
              return;
            }
            pc = 2;
            continue;
          }
          case 2:
            pc = 3;
            if (!t.lock(iommuLock, KernelModel.AT_DO_UNMAP)) {
              return;
            }
            continue;
          case 3: {
            if (!k.gen.mapLocksTwice()) {
              int r = t1.unmapArgsCheck(m.iova(), m.size(), false, 0);
              if (r != 0) {
                t.unlock(iommuLock);
                unmappedZero();
                leave(t, r);
                return;
              }
            }
            Task cur = task(t);
            walk = t1.beginUnmap(m.iova(), m.size(), cur == null || cur.mm() == null ? null : cur.mm().state);
            pc = 4;
            continue;
          }
          case 4: { // again:
            t.cost(rbSearchDma());
            UnmapWalk.Step s = walk.step();
            if (s instanceof UnmapWalk.Notify n) {
              t.unlock(iommuLock);
              pc = 5;
              t.call(new NotifierCallChain(n.iova(), n.size()));
              return;
            }
            if (s instanceof UnmapWalk.Removed r) {
              pfnListLockFree(r.dma());
              t.cost(k.costs.kfree + k.costs.atomicRmw); // put_task_struct, kfree; dma_avail++
              if (r.dma().iommuMapped()) {
                pc = 6;
                t.call(new UnmapUnpin(r.dma(), r.dma().npages()));
                return;
              }
              continue;
            }
            if (s instanceof UnmapWalk.Done d) {
              result = d.ret();
              t.unlock(iommuLock);
              leave(t, result);
              return;
            }
            // BUG_ON(++retries > 10): the kernel oopses holding &iommu->lock. vfiosim releases the
            // lock so the run can go on, and marks the container crashed: every later call into it
            // returns BUG.
            UnmapWalk.Bug b = (UnmapWalk.Bug) s;
            findings.add(new Finding(Finding.Kind.BUG, vm, "vfio_dma_do_unmap",
                "pins remain on vfio_dma iova 0x" + Long.toHexString(b.dma().iova()) + " after "
                    + (org.vfiosim.kernel.KernelConstants.UNMAP_NOTIFY_RETRIES_MAX + 1)
                    + " DMA_UNMAP notifications (BUG_ON(++retries > 10))"));
            t.unlock(iommuLock);
            leave(t, RET_BUG);
            return;
          }
          case 5:
            pc = 7;
            if (!t.lock(iommuLock, KernelModel.AT_DO_UNMAP)) {
              return;
            }
            continue;
          case 6:
          case 7:
            pc = 4;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    private void unmappedZero() {
      t1.unmapFailed(); // the ioctl copies unmap->size back only on success
    }

    @Override
    public String function() {
      return "vfio_dma_do_unmap";
    }
  }

  /**
   * blocking_notifier_call_chain(&iommu->notifier, VFIO_IOMMU_NOTIFY_DMA_UNMAP, {iova, size}):
   * under the chain's rwsem (read), every registered notifier in order.
   */
  private final class NotifierCallChain extends KFrame {
    private final long iova;
    private final long size;
    private int n;

    NotifierCallChain(long iova, long size) {
      this.iova = iova;
      this.size = size;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.lockRead(notifierRwsem, KernelModel.AT_NOTIFIER_CALL)) {
              return;
            }
            continue;
          case 1: // (un)registration takes the rwsem for write: the chain cannot change mid-walk
            n = 0;
            pc = 2;
            continue;
          case 2:
            if (n >= notifierBlocks.size()) {
              t.unlockRead(notifierRwsem);
              t.ret(0);
              return;
            }
            t.cost(k.costs.notifierCall);
            pc = 3;
            t.send(notifierBlocks.get(n), new Kvmgt.IommuNotify(iova, size), 0);
            return;
          case 3:
            n++;
            pc = 2;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "blocking_notifier_call_chain";
    }
  }

  /**
   * vfio_iommu_type1_register_notifier / _unregister_notifier: the chain's rwsem for write
   * (blocks while a DMA_UNMAP notification runs).
   */
  private final class NotifierRegFrame extends KFrame {
    private final Kvmgt nb;
    private final long events;
    private final boolean register;

    NotifierRegFrame(Kvmgt nb, long events, boolean register) {
      this.nb = nb;
      this.events = events;
      this.register = register;
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          if (crashed()) {
            t.ret(RET_BUG);
            return;
          }
          if (register && (events & ~Type1Iommu.VFIO_IOMMU_NOTIFY_DMA_UNMAP) != 0) {
            t.ret(-EINVAL); // any event but DMA_UNMAP
            return;
          }
          pc = 1;
          if (!t.lock(notifierRwsem, register ? KernelModel.AT_NOTIFIER_REGISTER : KernelModel.AT_NOTIFIER_UNREGISTER)) {
            return;
          }
          // fall through
        case 1: {
          int r;
          if (register) {
            r = t1.registerNotifier(nb.index, events);
            if (r == 0 && !notifierBlocks.contains(nb)) {
              notifierBlocks.add(nb);
            }
          } else {
            r = t1.unregisterNotifier(nb.index);
            if (r == 0) {
              notifierBlocks.remove(nb);
            }
          }
          t.unlock(notifierRwsem);
          t.ret(r);
          return;
        }
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return register ? "vfio_iommu_type1_register_notifier" : "vfio_iommu_type1_unregister_notifier";
    }
  }

  // ---------------------------------------------------------------- detach

  /**
   * __vfio_group_unset_container (v5.10 vfio.c:1292): &container->group_lock for write, type1
   * detach_group under &iommu->lock (external domain empty → vfio_sanity_check_pfn_list WARNs if
   * pins or notifiers remain, then with no IOMMU domain every dma is freed: outstanding pins are
   * leaked, not unpinned), last group → the driver is released.
   */
  private final class UnsetGroupFrame extends KFrame {
    private final VfioGroup group;

    UnsetGroupFrame(VfioGroup group) {
      this.group = group;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.lock(groupLock, KernelModel.AT_UNSET_CONTAINER)) {
              return;
            }
            continue;
          case 1:
            pc = 2;
            if (!t.lock(iommuLock, KernelModel.AT_DETACH_GROUP)) {
              return;
            }
            continue;
          case 2: {
            // after a BUG() the oopsed thread still holds &iommu->lock in the kernel: type1's
            // detach_group would never run, so it leaves the container as the oops left it
            if (!crashed() && t1.detachExternal()) {
              int warns = t1.sanityCheckPfnList();
              if (warns > 0) {
                findings.add(new Finding(Finding.Kind.WARN, vm, "vfio_sanity_check_pfn_list",
                    "external domain emptied while " + pinnedPages() + " page(s) are still pinned"
                        + (t1.notifierHead() ? " and a DMA_UNMAP notifier is still registered" : "")));
              }
              if (!t1.iommuCapDomainInContainer()) {
                List<VfioDma> removed = t1.unmapUnpinAll();
                for (VfioDma d : removed) {
                  pfnListLockFree(d);
                }
                dropPinnedDmas(removed);
              }
            }
            t.unlock(iommuLock);
            groupsAttached--;
            if (groupsAttached == 0) {
              driverSet = false; // driver->ops->release: the container is de-privileged
            }
            t.unlock(groupLock);
            t.cost(k.costs.atomicRmw); // vfio_container_put
            t.ret(0);
            return;
          }
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "__vfio_group_unset_container";
    }
  }

  /** References, page pins and accounted pages of vfio_pfns dropped with their dma at detach. */
  long droppedRefs;
  long leakedPins;
  long leakedAccounted;

  /**
   * vfio_iommu_unmap_unpin_all() with no IOMMU domain: vfio_unmap_unpin() returns early, so the
   * vfio_pfn nodes are freed with their dma without put_pfn or vfio_lock_acct: the pages stay
   * pinned and locked_vm stays raised (a leak the kernel only WARNs about).
   */
  private void dropPinnedDmas(List<VfioDma> removed) {
    long pages = 0;
    for (VfioDma d : removed) {
      for (VfioPfn p : d.pfnList()) {
        droppedRefs += p.refCount();
        if (!GuestBacking.isReservedPfn(p.pfn())) {
          leakedPins++;
          pages++;
          if (t1.doAccounting()) {
            leakedAccounted++;
          }
        }
      }
    }
    if (pages > 0) {
      findings.add(new Finding(Finding.Kind.LEAK, vm, "vfio_iommu_unmap_unpin_all",
          pages + " externally pinned page(s) freed with their vfio_dma at detach: they stay pinned and in locked_vm"));
    }
  }

  /** {@code vfio_pfn} nodes in this container (the {@code pinned} assertion). */
  public long pinnedPages() {
    long n = 0;
    for (VfioDma d : t1.dmaList()) {
      n += d.pinnedCount();
    }
    return n;
  }

  /** The {@code vfio_pfn} ref count at iova pfn {@code pfn} (0 when not pinned). */
  public long refCount(long pfn) {
    long iova = pfn << PAGE_SHIFT;
    VfioDma d = t1.dmaList().find(iova, PAGE_SIZE);
    if (d == null) {
      return 0;
    }
    VfioPfn v = d.findVpfn(iova);
    return v == null ? 0 : v.refCount();
  }
}
