package org.vfiosim.actors;

import static org.vfiosim.kernel.Errno.EEXIST;
import static org.vfiosim.kernel.Errno.EFAULT;
import static org.vfiosim.kernel.Errno.EINVAL;
import static org.vfiosim.kernel.Errno.ESRCH;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import java.util.ArrayList;
import java.util.List;
import org.vfiosim.kernel.GuestBacking;
import org.vfiosim.kernel.GvtCache;
import org.vfiosim.kernel.Prot;
import org.vfiosim.run.Finding;
import org.vfiosim.sim.AtomicVar;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.FramePool;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimSemaphore;
import org.vfiosim.sim.SimThread;

/**
 * kvmgt's per-vGPU state ({@code struct kvmgt_vdev} and {@code kvmgt_guest_info}, v5.10
 * kvmgt.c:91-135): the gvt_cache of guest pages mapped for the GPU (by gfn and by dma_addr, with
 * krefs) under {@code &vdev->cache_lock}, {@code &vgpu->vgpu_lock}, the DMA_UNMAP and SET_KVM
 * notifiers, and in v5.7+ the held vfio group reference. How each generation pins and reads guest
 * memory is decided here: v5.6 calls {@code vfio_pin_pages(dev)} and {@code kvm_read/write_guest},
 * v5.7+ {@code vfio_group_pin_pages} and {@code vfio_dma_rw}.
 */
public final class Kvmgt extends SimActor<Kvmgt.Msg> {

  /** Protocol. */
  public sealed interface Msg permits Open, Release, DmaMapGuestPage, DmaUnmapGuestPage, RwGpa, IommuNotify, SetKvm {}

  /** {@code intel_vgpu_open} (the mdev open, from QEMU's device fd open). */
  public record Open() implements Msg {}

  /** {@code intel_vgpu_release} ({@code __intel_vgpu_release}). */
  public record Release() implements Msg {}

  /** {@code kvmgt_dma_map_guest_page(handle, gfn, size, &dma_addr)}; the address lands in {@link #lastDmaAddr}. */
  public record DmaMapGuestPage(long gfn, long size) implements Msg {}

  /** {@code kvmgt_dma_unmap_guest_page(handle, dma_addr)}. */
  public record DmaUnmapGuestPage(long dmaAddr) implements Msg {}

  /** {@code kvmgt_rw_gpa(handle, gpa, buf, len, write)}. */
  public record RwGpa(long gpa, long len, boolean write) implements Msg {}

  /** The DMA_UNMAP notifier ({@code intel_vgpu_iommu_notifier}) for {@code [iova, iova+size)}. */
  public record IommuNotify(long iova, long size) implements Msg {}

  /** The SET_KVM group notifier ({@code intel_vgpu_group_notifier}). */
  public record SetKvm(Kvm kvm) implements Msg {}

  private final KernelModel k;
  final String vgpu;
  /** Index among all vGPUs: also this kvmgt's notifier id. */
  final int index;
  final boolean notifierUnpins;
  /** {@code vdev->gfn_cache} and {@code dma_addr_cache}. */
  public final GvtCache cache = new GvtCache();
  final SimMutex cacheLock;
  final SimMutex vgpuLock;
  final AtomicVar released;
  /** {@code handle_valid(vgpu->handle)}: opened and not yet released. */
  boolean handleValid;
  /** {@code vdev->kvm}, set by the SET_KVM notifier. */
  Kvm kvm;
  /** {@code info->kvm}: the reference kvmgt_guest_init took (kvm_get_kvm), put by kvmgt_guest_exit. */
  private Kvm guestKvm;
  VfioGroup group;
  Gvt gvt;
  KernelModel.Vm vm;
  /** The dma_addr the last successful map returned (what the GTT entry would hold). */
  public long lastDmaAddr;
  /** Workloads of this vGPU completed, and their summed latency (submission to completion). */
  public long workloads;
  public long workloadCycles;
  /** Workloads submitted and not yet completed. */
  public long inFlight;
  /** This vGPU's scheduling data on its GPU (null until the scheduler first sees it). */
  Gvt.VgpuSched sched;
  /**
   * {@code vdev->release_work} (INIT_WORK(..., intel_vgpu_release_work)): woken by SET_KVM(NULL)
   * while the vGPU is open; null unless a kworker was given ({@link #startReleaseWorker}).
   */
  private SimSemaphore releaseWork;
  private boolean releaseQueued;
  /**
   * When the last __intel_vgpu_release began, unregistered the DMA_UNMAP notifier, and finished
   * gvt_cache_destroy (-1: not yet): the window of reference §2.13 is between the last two.
   */
  public long releaseStartedAt = -1;
  public long iommuNotifierGoneAt = -1;
  public long cacheDestroyedAt = -1;

  void workloadDone(long cycles) {
    workloads++;
    workloadCycles += cycles;
    inFlight--;
  }
  final List<Finding> findings = new ArrayList<>();

  Kvmgt(KernelModel k, String vgpu, int index, Domain d, boolean notifierUnpins) {
    super(vgpu + "/kvmgt");
    this.k = k;
    this.vgpu = vgpu;
    this.index = index;
    this.notifierUnpins = notifierUnpins;
    this.cacheLock = k.model.mutex(k.cacheLock, vgpu, d);
    this.vgpuLock = k.model.mutex(k.vgpuLock, vgpu, d);
    this.released = k.model.atomic(vgpu + ":released", k.costs.atomicRmw, k.costs.atomicBounce, 0);
  }

  /**
   * Gives this vGPU the kworker that runs its {@code release_work} and starts it (at time 0, once
   * the model is laid out): it sleeps until SET_KVM(NULL) queues the work, runs
   * __intel_vgpu_release, and ends. {@link #flushReleaseWork} ends it when the work was never queued.
   */
  public void startReleaseWorker(SimThread kworker) {
    releaseWork = new SimSemaphore(vgpu + ":release_work", 0);
    kworker.start(new ReleaseWorkFrame(), 0);
  }

  /**
   * Ends the kworker of a release_work that was never queued: one {@code up} with nothing queued
   * lets it find no work. Nothing to do without a kworker or once the work was queued. False when
   * the caller must yield first ({@link SimThread#up}).
   */
  public boolean flushReleaseWork(SimThread t) {
    return releaseWork == null || releaseQueued || t.up(releaseWork);
  }

  /** Whether the vGPU is open (the kvmgt handle is valid). */
  public boolean isOpen() {
    return handleValid;
  }

  /** The vfio group of this vGPU. */
  public VfioGroup group() {
    return group;
  }

  /** {@code &vgpu->vgpu_lock}: held by MMIO/GTT emulation and workload dispatch/completion. */
  public SimMutex vgpuLock() {
    return vgpuLock;
  }

  // Frames of the hot entry points and their helpers, reused (see FramePool).
  private final FramePool<DmaMapGuestPageFrame> dmaMapGuestPageFrames = new FramePool<>(DmaMapGuestPageFrame::new);
  private final FramePool<DmaUnmapGuestPageFrame> dmaUnmapGuestPageFrames =
      new FramePool<>(DmaUnmapGuestPageFrame::new);
  private final FramePool<RwGpaFrame> rwGpaFrames = new FramePool<>(RwGpaFrame::new);
  private final FramePool<DmaMapPage> dmaMapPages = new FramePool<>(DmaMapPage::new);
  private final FramePool<DmaUnmapPage> dmaUnmapPages = new FramePool<>(DmaUnmapPage::new);
  private final FramePool<PinGuestPage> pinGuestPages = new FramePool<>(PinGuestPage::new);
  private final FramePool<UnpinGuestPage> unpinGuestPages = new FramePool<>(UnpinGuestPage::new);

  @Override
  protected KFrame receive(SimThread t, Msg msg) {
    if (msg instanceof DmaMapGuestPage m) {
      return dmaMapGuestPageFrames.take().init(m.gfn(), m.size());
    }
    if (msg instanceof DmaUnmapGuestPage m) {
      return dmaUnmapGuestPageFrames.take().init(m.dmaAddr());
    }
    if (msg instanceof RwGpa m) {
      return rwGpaFrames.take().init(m);
    }
    if (msg instanceof IommuNotify m) {
      return new IommuNotifierFrame(m.iova(), m.size());
    }
    if (msg instanceof SetKvm m) {
      return new SetKvmFrame(m.kvm());
    }
    if (msg instanceof Open) {
      return new OpenFrame();
    }
    return new ReleaseFrame();
  }

  // ---------------------------------------------------------------- pinning guest pages

  /**
   * The one-page pin call of this generation: vfio_pin_pages(dev) before v5.7, vfio_group_pin_pages
   * after. Built once per (pooled) frame over the frame's one-element arrays: the caller sets
   * {@code pfns[0]} before each call, and the callee reads the arrays only until it returns.
   */
  private VfioGroup.Msg pinOne(long[] pfns, long[] phys) {
    int prot = Prot.IOMMU_READ | Prot.IOMMU_WRITE;
    return k.gen.hasGroupApi() ? new VfioGroup.GroupPinPages(pfns, 1, prot, phys, true)
        : new VfioGroup.PinPages(pfns, 1, prot, phys, true);
  }

  /** The one-page unpin call of this generation, built once per frame as {@link #pinOne}. */
  private VfioGroup.Msg unpinOne(long[] pfns) {
    return k.gen.hasGroupApi() ? new VfioGroup.GroupUnpinPages(pfns, 1, true) : new VfioGroup.UnpinPages(pfns, 1, true);
  }

  /**
   * gvt_pin_guest_page() (v5.10 kvmgt.c:171): one separate pin call per 4K page (512 for a 2M
   * shadow entry); ret != 1 → error; a pfn that is not memory backed → -EFAULT; pages after the
   * first must be physically contiguous → -EINVAL. On error the pages pinned so far (including the
   * offending one) are unpinned. Returns the base pfn or -errno.
   */
  private final class PinGuestPage extends KFrame {
    private long gfn;
    private int total;
    private final long[] pfns = new long[1];
    private final long[] phys = new long[1];
    private final VfioGroup.Msg pin = pinOne(pfns, phys);
    private int npage;
    private long basePfn;
    private long err;

    PinGuestPage init(long gfn, long size) {
      this.gfn = gfn;
      this.total = (int) ((size + PAGE_SIZE - 1) / PAGE_SIZE);
      this.pfns[0] = 0;
      this.phys[0] = 0;
      this.npage = 0;
      this.basePfn = 0;
      this.err = 0;
      return this;
    }

    @Override
    protected void recycle() {
      pinGuestPages.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            if (npage >= total) {
              t.ret(basePfn);
              return;
            }
            pc = 1;
            pfns[0] = gfn + npage;
            t.send(group, pin, 0);
            return;
          case 1: {
            long ret = t.retval;
            if (ret != 1) {
              err = ret == KernelModel.RET_BUG ? ret : (ret >= 0 ? -EFAULT : ret);
              pc = 2;
              continue;
            }
            long pfn = phys[0];
            if (GuestBacking.isReservedPfn(pfn)) { // !pfn_valid(pfn): "not mem backed"
              npage++;
              err = -EFAULT;
              pc = 2;
              continue;
            }
            if (npage == 0) {
              basePfn = pfn;
            } else if (basePfn + npage != pfn) { // "The pages are not continuous"
              npage++;
              err = -EINVAL;
              pc = 2;
              continue;
            }
            npage++;
            pc = 0;
            continue;
          }
          case 2:
            if (err == KernelModel.RET_BUG) {
              t.ret(err);
              return;
            }
            pc = 3;
            t.call(unpinGuestPages.take().init(gfn, npage));
            return;
          case 3:
            t.ret(err);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "gvt_pin_guest_page";
    }
  }

  /**
   * gvt_unpin_guest_page() (v5.10 kvmgt.c:151): one unpin call per page, drm_WARN_ON(ret != 1).
   */
  private final class UnpinGuestPage extends KFrame {
    private long gfn;
    private int npages;
    private final long[] pfns = new long[1];
    private final VfioGroup.Msg unpin = unpinOne(pfns);
    private int p;

    UnpinGuestPage init(long gfn, int npages) {
      this.gfn = gfn;
      this.npages = npages;
      this.pfns[0] = 0;
      this.p = 0;
      return this;
    }

    @Override
    protected void recycle() {
      unpinGuestPages.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            if (p >= npages) {
              t.ret(0);
              return;
            }
            pc = 1;
            pfns[0] = gfn + p;
            t.send(group, unpin, 0);
            return;
          case 1:
            // after a BUG of the VM's container its failures are the oops's, not new WARNs
            if (t.retval != 1 && t.retval != KernelModel.RET_BUG && !vm.container().crashed()) {
              findings.add(new Finding(Finding.Kind.WARN, vm.name(), "gvt_unpin_guest_page",
                  vgpu + ": unpin of gfn 0x" + Long.toHexString(gfn + p) + " returned " + t.retval));
            }
            p++;
            pc = 0;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "gvt_unpin_guest_page";
    }
  }

  /** gvt_dma_map_page() (v5.10 kvmgt.c:221): pin, then dma_map_page on the host IOMMU. Returns dma_addr or -errno. */
  private final class DmaMapPage extends KFrame {
    private long gfn;
    private long size;

    DmaMapPage init(long gfn, long size) {
      this.gfn = gfn;
      this.size = size;
      return this;
    }

    @Override
    protected void recycle() {
      dmaMapPages.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          t.call(pinGuestPages.take().init(gfn, size));
          return;
        case 1:
          if (t.retval < 0) {
            t.ret(t.retval);
            return;
          }
          t.cost(k.costs.dmaMapPage);
          t.ret(gvt.dmaAddrs.map(size));
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "gvt_dma_map_page";
    }
  }

  /** gvt_dma_unmap_page() (v5.10 kvmgt.c:244): dma_unmap_page then unpin every page. */
  private final class DmaUnmapPage extends KFrame {
    private GvtCache.GvtDma e;

    DmaUnmapPage init(GvtCache.GvtDma e) {
      this.e = e;
      return this;
    }

    @Override
    protected void recycle() {
      e = null;
      dmaUnmapPages.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          t.cost(k.costs.dmaUnmapPage);
          gvt.dmaAddrs.unmap(e.dmaAddr(), e.size());
          pc = 1;
          t.call(unpinGuestPages.take().init(e.gfn(), e.npages()));
          return;
        case 1:
          t.ret(0);
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "gvt_dma_unmap_page";
    }
  }

  // ---------------------------------------------------------------- the kvmgt entry points

  /**
   * kvmgt_dma_map_guest_page() (v5.10 kvmgt.c:1949): under &vdev->cache_lock, a miss pins and
   * maps and adds an entry (kref 1); a hit of another size force-unmaps the old entry whatever its
   * kref, then misses; a hit of the same size only takes a kref (no VFIO call).
   */
  private final class DmaMapGuestPageFrame extends KFrame {
    private long gfn;
    private long size;
    private long ret;

    DmaMapGuestPageFrame init(long gfn, long size) {
      this.gfn = gfn;
      this.size = size;
      this.ret = 0;
      return this;
    }

    @Override
    protected void recycle() {
      dmaMapGuestPageFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            begin(t, k.opKvmgtDmaMap, size / PAGE_SIZE, k.costs.callEntry);
            if (!handleValid) {
              leave(t, -EINVAL);
              return;
            }
            pc = 1;
            if (!t.lock(cacheLock, KernelModel.AT_CACHE_MAP)) {
              return;
            }
            continue;
          case 1: {
            t.cost(k.costs.rbSearch(cache.nrCacheEntries()));
            GvtCache.GvtDma e = cache.findGfn(gfn);
            if (e == null) {
              pc = 3;
              continue;
            }
            if (e.size() != size) { // the same gfn with a different size: drop it whatever its kref
              pc = 2;
              t.call(dmaUnmapPages.take().init(e));
              cache.remove(e);
              return;
            }
            cache.krefGet(e); // under cache_lock; the atomic below is its cost
            lastDmaAddr = e.dmaAddr();
            pc = 5;
            if (!t.atomic(gvt.krefLine)) { // kref_get(&entry->ref)
              return;
            }
            continue;
          }
          case 2:
            t.cost(k.costs.kfree + 2 * k.costs.rbSearch(cache.nrCacheEntries()));
            pc = 3;
            continue;
          case 3:
            pc = 4;
            t.call(dmaMapPages.take().init(gfn, size));
            return;
          case 4:
            ret = t.retval;
            if (ret >= 0) {
              t.cost(k.costs.kzalloc + 2 * k.costs.rbSearch(cache.nrCacheEntries())); // __gvt_cache_add
              cache.add(gfn, ret, size);
              lastDmaAddr = ret;
              ret = 0;
            }
            t.unlock(cacheLock);
            leave(t, ret);
            return;
          case 5:
            t.unlock(cacheLock);
            leave(t, 0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "kvmgt_dma_map_guest_page";
    }
  }

  /**
   * kvmgt_dma_unmap_guest_page() (v5.10 kvmgt.c:2034): under &vdev->cache_lock find the entry by
   * dma_addr and kref_put it; at 0 unmap, unpin and remove. An unknown address does nothing.
   */
  private final class DmaUnmapGuestPageFrame extends KFrame {
    private long dmaAddr;

    DmaUnmapGuestPageFrame init(long dmaAddr) {
      this.dmaAddr = dmaAddr;
      return this;
    }

    @Override
    protected void recycle() {
      dmaUnmapGuestPageFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            begin(t, k.opKvmgtDmaUnmap, 0, k.costs.callEntry);
            if (!handleValid) {
              leave(t, 0);
              return;
            }
            pc = 1;
            if (!t.lock(cacheLock, KernelModel.AT_CACHE_UNMAP)) {
              return;
            }
            continue;
          case 1: {
            t.cost(k.costs.rbSearch(cache.nrCacheEntries()));
            GvtCache.GvtDma e = cache.findDmaAddr(dmaAddr);
            if (e == null) {
              t.unlock(cacheLock);
              leave(t, 0);
              return;
            }
            if (cache.krefPut(e)) { // __gvt_dma_release
              pc = 2;
              t.call(dmaUnmapPages.take().init(e));
              cache.remove(e);
              return;
            }
            t.unlock(cacheLock);
            leave(t, 0);
            return;
          }
          case 2:
            t.cost(k.costs.kfree);
            t.unlock(cacheLock);
            leave(t, 0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "kvmgt_dma_unmap_guest_page";
    }
  }

  /**
   * kvmgt_rw_gpa() (v5.10 kvmgt.c:2053; v5.6 :1967): -ESRCH before open. v5.7+: vfio_dma_rw on the
   * held group (GPA used as IOVA). v5.6, from a kernel thread: mmget_not_zero(kvm->mm) (-EFAULT),
   * use_mm, kvm_read/write_guest under kvm->srcu, unuse_mm, mmput.
   */
  private final class RwGpaFrame extends KFrame {
    private RwGpa m;
    private long ret;

    RwGpaFrame init(RwGpa m) {
      this.m = m;
      this.ret = 0;
      return this;
    }

    @Override
    protected void recycle() {
      m = null;
      rwGpaFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0: {
            long pages = m.len() <= 0 ? 0 : ((m.gpa() + m.len() - 1) >>> 12) - (m.gpa() >>> 12) + 1;
            begin(t, k.opKvmgtRwGpa, pages, k.costs.callEntry);
            if (!handleValid) {
              leave(t, -ESRCH);
              return;
            }
            if (k.gen.hasGroupApi()) {
              pc = 1;
              t.send(group, new VfioGroup.DmaRw(m.gpa(), m.len(), m.write()), 0);
              return;
            }
            pc = 2;
            if (!t.atomic(vm.mm().mmUsers)) { // mmget_not_zero(kvm->mm)
              return;
            }
            continue;
          }
          case 1:
            leave(t, t.retval);
            return;
          case 2:
            if (!vm.mm().state.alive()) {
              leave(t, -EFAULT);
              return;
            }
            vm.mm().mmUsers.value++;
            t.cost(k.costs.kthreadUseMm);
            pc = 3;
            if (!t.lockRead(vm.kvm().srcu, KernelModel.AT_KVMGT_RW_GPA)) {
              return;
            }
            continue;
          case 3:
            pc = 4;
            t.send(vm.kvm(), m.write() ? new Kvm.WriteGuest(m.gpa(), m.len()) : new Kvm.ReadGuest(m.gpa(), m.len()), 0);
            return;
          case 4:
            ret = t.retval;
            t.unlockRead(vm.kvm().srcu);
            t.cost(k.costs.kthreadUnuseMm);
            pc = 5;
            if (!t.atomic(vm.mm().mmUsers)) { // mmput
              return;
            }
            continue;
          case 5:
            vm.mm().mmUsers.value--;
            leave(t, ret);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "kvmgt_rw_gpa";
    }
  }

  /**
   * intel_vgpu_iommu_notifier() (v5.10 kvmgt.c:742) for DMA_UNMAP, on the unmapping QEMU thread
   * with &iommu->lock dropped: under &vdev->cache_lock, a lookup for every 4K pfn of the whole
   * vfio_dma; each hit is unmapped and unpinned and removed whatever its kref. A buggy vendor
   * driver (notifier=ignore) returns without unpinning.
   */
  private final class IommuNotifierFrame extends KFrame {
    private final long iova;
    private final long size;
    private List<GvtCache.GvtDma> hits;
    private int h;

    IommuNotifierFrame(long iova, long size) {
      this.iova = iova;
      this.size = size;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            if (!notifierUnpins) {
              t.ret(0); // NOTIFY_OK without unpinning
              return;
            }
            pc = 1;
            if (!t.lock(cacheLock, KernelModel.AT_CACHE_NOTIFIER)) {
              return;
            }
            continue;
          case 1: {
            long npages = size / PAGE_SIZE;
            t.cost(npages * k.costs.rbSearch(cache.nrCacheEntries())); // __gvt_cache_find_gfn per pfn
            hits = cache.entriesInGfnRange(iova / PAGE_SIZE, npages);
            h = 0;
            pc = 2;
            continue;
          }
          case 2:
            if (h >= hits.size()) {
              t.unlock(cacheLock);
              t.ret(0);
              return;
            }
            pc = 3;
            t.call(dmaUnmapPages.take().init(hits.get(h)));
            return;
          case 3:
            cache.remove(hits.get(h));
            t.cost(k.costs.kfree);
            h++;
            pc = 2;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "intel_vgpu_iommu_notifier";
    }
  }

  /** intel_vgpu_group_notifier() for SET_KVM: {@code vdev->kvm = data}. */
  private final class SetKvmFrame extends KFrame {
    private final Kvm kvmArg;

    SetKvmFrame(Kvm kvmArg) {
      this.kvmArg = kvmArg;
    }

    @Override
    protected void run(SimThread t) {
      if (pc == 0) {
        kvm = kvmArg;
        if (kvmArg != null || !handleValid) {
          t.ret(0);
          return;
        }
        // KVM went away while the vGPU is open: schedule_work(&vdev->release_work)
        if (releaseWork == null) {
          throw new org.vfiosim.sim.SimulationError(vgpu + ": SET_KVM(NULL) while open queues release_work,"
              + " but this model gave the vGPU no kworker (Kvmgt.startReleaseWorker)");
        }
        releaseQueued = true;
        pc = 1;
        if (!t.up(releaseWork)) {
          return;
        }
      }
      t.ret(0);
    }

    @Override
    public String function() {
      return "intel_vgpu_group_notifier";
    }
  }

  /**
   * The kworker running intel_vgpu_release_work(): once woken, __intel_vgpu_release if the work
   * was queued (the {@code released} guard makes a second release a no-op), then it ends.
   */
  private final class ReleaseWorkFrame extends KFrame {
    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.down(releaseWork)) {
              return;
            }
            continue;
          case 1:
            if (!releaseQueued) {
              t.ret(0);
              return;
            }
            pc = 2;
            t.call(new ReleaseFrame());
            return;
          case 2:
            t.ret(0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "intel_vgpu_release_work";
    }
  }

  /**
   * intel_vgpu_open() (v5.10 kvmgt.c:792): register the DMA_UNMAP and SET_KVM notifiers (the latter
   * replays SET_KVM), v5.7+ take the external user from the device, then kvmgt_guest_init: already
   * valid → -EEXIST; no KVM or not the caller's → -ESRCH; another vGPU of this GPU already bound to
   * this KVM (gvt->lock) → -EEXIST. Failures undo in reverse order.
   */
  private final class OpenFrame extends KFrame {
    private long ret;
    private int undo;

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            begin(t, k.opVgpuOpen, 0, k.costs.callEntry);
            pc = 1;
            t.send(group, new VfioGroup.RegisterNotifier(VfioGroup.IOMMU_NOTIFY, VfioGroup.DMA_UNMAP, Kvmgt.this), 0);
            return;
          case 1:
            if (t.retval != 0) {
              leave(t, t.retval);
              return;
            }
            pc = 2;
            t.send(group, new VfioGroup.RegisterNotifier(VfioGroup.GROUP_NOTIFY, VfioGroup.SET_KVM, Kvmgt.this), 0);
            return;
          case 2:
            if (t.retval != 0) {
              ret = t.retval;
              undo = 1;
              pc = 20;
              continue;
            }
            if (k.gen.kvmgtHoldsGroup()) {
              pc = 3;
              t.send(group, new VfioGroup.GetExternalUser(true), 0);
              return;
            }
            pc = 4;
            continue;
          case 3:
            if (t.retval != 0) {
              ret = t.retval;
              undo = 2;
              pc = 20;
              continue;
            }
            pc = 4;
            continue;
          case 4: { // try_module_get; kvmgt_guest_init
            t.cost(k.costs.atomicRmw);
            Task cur = task(t);
            if (handleValid) {
              ret = -EEXIST;
              undo = 3;
              pc = 20;
              continue;
            }
            if (kvm == null || cur == null || cur.mm() != kvm.mm || !kvm.mm.state.alive()) {
              ret = -ESRCH;
              undo = 3;
              pc = 20;
              continue;
            }
            pc = 5;
            t.send(gvt, new Gvt.VgpuExist(Kvmgt.this), 0);
            return;
          }
          case 5:
            if (t.retval != 0) {
              ret = -EEXIST;
              undo = 3;
              pc = 20;
              continue;
            }
            t.cost(k.costs.kzalloc); // vzalloc(info), protect table, cache init, page-track register
            pc = 6;
            if (!t.atomic(kvm.users)) { // kvm_get_kvm
              return;
            }
            continue;
          case 6:
            kvm.users.value++;
            guestKvm = kvm;
            handleValid = true;
            pc = 7;
            if (!t.lock(vgpuLock, KernelModel.AT_VGPU_ACTIVATE)) { // intel_gvt_activate_vgpu (5.x: vgpu_lock)
              return;
            }
            continue;
          case 7:
            t.unlock(vgpuLock);
            pc = 8;
            if (!t.atomic(released)) { // atomic_set(&vdev->released, 0)
              return;
            }
            continue;
          case 8:
            released.value = 0;
            leave(t, 0);
            return;
          // ---- undo_group / undo_register / undo_iommu
          case 20:
            if (undo >= 3 && k.gen.kvmgtHoldsGroup()) {
              pc = 21;
              t.send(group, new VfioGroup.PutExternalUser(true), 0);
              return;
            }
            pc = 21;
            continue;
          case 21:
            if (undo >= 2) {
              pc = 22;
              t.send(group, new VfioGroup.UnregisterNotifier(VfioGroup.GROUP_NOTIFY, Kvmgt.this), 0);
              return;
            }
            pc = 22;
            continue;
          case 22:
            pc = 23;
            t.send(group, new VfioGroup.UnregisterNotifier(VfioGroup.IOMMU_NOTIFY, Kvmgt.this), 0);
            return;
          case 23:
            leave(t, ret);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "intel_vgpu_open";
    }
  }

  /**
   * __intel_vgpu_release() (v5.10 kvmgt.c:873): not valid or already released → return;
   * intel_gvt_release_vgpu (vgpu_lock in intel_gvt_deactivate_vgpu, again around
   * intel_vgpu_clean_workloads); unregister both notifiers (failures only WARN); kvmgt_guest_exit
   * (kvm_put_kvm, gvt_cache_destroy: every entry unmapped and unpinned); v5.7+ put the external
   * user, which may detach the group from the container.
   */
  private final class ReleaseFrame extends KFrame {
    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            begin(t, k.opVgpuRelease, 0, k.costs.callEntry);
            if (!handleValid) {
              leave(t, 0);
              return;
            }
            pc = 1;
            if (!t.atomic(released)) { // atomic_cmpxchg(&released, 0, 1)
              return;
            }
            continue;
          case 1:
            if (released.value != 0) {
              leave(t, 0);
              return;
            }
            released.value = 1;
            releaseStartedAt = t.now;
            pc = 2;
            if (!t.lock(vgpuLock, KernelModel.AT_VGPU_DEACTIVATE)) { // intel_gvt_deactivate_vgpu
              return;
            }
            continue;
          case 2:
            pc = 31;
            if (sched != null && sched.active) { // intel_vgpu_stop_schedule, under vgpu_lock
              t.send(gvt, new Gvt.StopSchedule(Kvmgt.this), 0);
              return;
            }
            continue;
          case 31:
            t.unlock(vgpuLock);
            pc = 30;
            if (!t.lock(vgpuLock, KernelModel.AT_VGPU_RELEASE)) { // intel_gvt_release_vgpu: clean workloads
              return;
            }
            continue;
          case 30:
            t.unlock(vgpuLock);
            pc = 3;
            t.send(group, new VfioGroup.UnregisterNotifier(VfioGroup.IOMMU_NOTIFY, Kvmgt.this), 0);
            return;
          case 3:
            iommuNotifierGoneAt = t.now;
            warnIf(t.retval, "vfio_unregister_notifier for iommu failed");
            pc = 4;
            t.send(group, new VfioGroup.UnregisterNotifier(VfioGroup.GROUP_NOTIFY, Kvmgt.this), 0);
            return;
          case 4:
            warnIf(t.retval, "vfio_unregister_notifier for group failed");
            t.cost(k.costs.atomicRmw); // module_put
            pc = 5;
            if (!t.atomic(guestKvm.users)) { // kvmgt_guest_exit: kvm_put_kvm(info->kvm)
              return;
            }
            continue;
          case 5:
            guestKvm.users.value--;
            guestKvm = null;
            pc = 6;
            continue;
          case 6: // gvt_cache_destroy: one entry per cache_lock hold
            pc = 7;
            if (!t.lock(cacheLock, KernelModel.AT_CACHE_DESTROY)) {
              return;
            }
            continue;
          case 7: {
            GvtCache.GvtDma e = cache.first();
            if (e == null) {
              t.unlock(cacheLock);
              pc = 9;
              continue;
            }
            pc = 8;
            cache.remove(e);
            t.call(dmaUnmapPages.take().init(e));
            return;
          }
          case 8:
            t.cost(k.costs.kfree);
            t.unlock(cacheLock);
            pc = 6;
            continue;
          case 9:
            cacheDestroyedAt = t.now;
            if (k.gen.kvmgtHoldsGroup()) {
              pc = 10;
              t.send(group, new VfioGroup.PutExternalUser(true), 0);
              return;
            }
            pc = 10;
            continue;
          case 10:
            kvm = null;
            handleValid = false;
            leave(t, 0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    private void warnIf(long ret, String what) {
      if (ret != 0 && ret != KernelModel.RET_BUG) { // after a BUG the container is gone: no WARN on top
        findings.add(new Finding(Finding.Kind.WARN, vm.name(), "__intel_vgpu_release", vgpu + ": " + what + ": " + ret));
      }
    }

    @Override
    public String function() {
      return "__intel_vgpu_release";
    }
  }
}
