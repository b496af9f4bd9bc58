package org.vfiosim.actors;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.vfiosim.kernel.Costs;
import org.vfiosim.kernel.Generation;
import org.vfiosim.kernel.GuestBacking;
import org.vfiosim.kernel.MmState;
import org.vfiosim.run.Finding;
import org.vfiosim.run.Invariant;
import org.vfiosim.sim.CallSite;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.LockClass;
import org.vfiosim.sim.LockKind;
import org.vfiosim.sim.Model;

/**
 * The simulated VFIO stack of one host: the VFIO core, and per VM a QEMU process (mm, KVM, type1
 * container), per vGPU a vfio group and a kvmgt client, per physical GPU the GVT device. Built on a
 * {@link Model}; scenarios and the script runner add VMs, vGPUs and GPUs, then lay out and run.
 *
 * <p>Lock classes carry the kernel's names (as {@code /proc/lock_stat} prints them); each instance
 * belongs to {@code host}, a VM, a vGPU or a GPU.
 */
public final class KernelModel {
  /** Return value meaning "this call hit (or touched a container that hit) a kernel BUG()". */
  public static final long RET_BUG = Long.MIN_VALUE;

  // Call sites (lock_stat's contention points): the kernel function taking the lock.
  static final CallSite AT_GROUP_GET_FROM_IOMMU = CallSite.of("vfio_group_get_from_iommu");
  static final CallSite AT_GROUP_FOR_EACH_DEV = CallSite.of("iommu_group_for_each_dev");
  static final CallSite AT_DEV_VIABLE = CallSite.of("vfio_dev_viable");
  static final CallSite AT_GROUP_GET_DEVICE = CallSite.of("vfio_group_get_device");
  static final CallSite AT_DEVICE_GET_FROM_NAME = CallSite.of("vfio_device_get_from_name");
  static final CallSite AT_UNSET_CONTAINER = CallSite.of("__vfio_group_unset_container");
  static final CallSite AT_PIN_PAGES = CallSite.of("vfio_iommu_type1_pin_pages");
  static final CallSite AT_UNPIN_PAGES = CallSite.of("vfio_iommu_type1_unpin_pages");
  static final CallSite AT_DMA_RW = CallSite.of("vfio_iommu_type1_dma_rw");
  static final CallSite AT_DO_MAP = CallSite.of("vfio_dma_do_map");
  static final CallSite AT_DO_UNMAP = CallSite.of("vfio_dma_do_unmap");
  static final CallSite AT_PGSIZE_BITMAP = CallSite.of("vfio_pgsize_bitmap");
  static final CallSite AT_DETACH_GROUP = CallSite.of("vfio_iommu_type1_detach_group");
  static final CallSite AT_NOTIFIER_REGISTER = CallSite.of("blocking_notifier_chain_register");
  static final CallSite AT_NOTIFIER_UNREGISTER = CallSite.of("blocking_notifier_chain_unregister");
  static final CallSite AT_NOTIFIER_CALL = CallSite.of("blocking_notifier_call_chain");
  static final CallSite AT_GET_TASK_MM = CallSite.of("get_task_mm");
  static final CallSite AT_VADDR_GET_PFN = CallSite.of("vaddr_get_pfn");
  static final CallSite AT_CONTIG_GET_PFN = CallSite.of("contiguous_vaddr_get_pfn");
  static final CallSite AT_LOCK_ACCT = CallSite.of("vfio_lock_acct");
  static final CallSite AT_KVMGT_RW_GPA = CallSite.of("kvmgt_rw_gpa");
  static final CallSite AT_CACHE_MAP = CallSite.of("kvmgt_dma_map_guest_page");
  static final CallSite AT_CACHE_UNMAP = CallSite.of("kvmgt_dma_unmap_guest_page");
  static final CallSite AT_CACHE_NOTIFIER = CallSite.of("intel_vgpu_iommu_notifier");
  static final CallSite AT_CACHE_DESTROY = CallSite.of("gvt_cache_destroy");
  static final CallSite AT_VGPU_ACTIVATE = CallSite.of("intel_gvt_activate_vgpu");
  static final CallSite AT_VGPU_DEACTIVATE = CallSite.of("intel_gvt_deactivate_vgpu");
  static final CallSite AT_VGPU_RELEASE = CallSite.of("intel_gvt_release_vgpu");
  static final CallSite AT_VGPU_EXIST = CallSite.of("__kvmgt_vgpu_exist");
  static final CallSite AT_SUBMIT_EXECLIST = CallSite.of("intel_vgpu_submit_execlist");
  static final CallSite AT_PICK_NEXT_WORKLOAD = CallSite.of("pick_next_workload");
  static final CallSite AT_DISPATCH_WORKLOAD = CallSite.of("dispatch_workload");
  static final CallSite AT_COMPLETE_WORKLOAD = CallSite.of("complete_current_workload");
  static final CallSite AT_EMULATE_MMIO = CallSite.of("intel_vgpu_emulate_mmio_write");
  static final CallSite AT_KICK_SCHEDULE = CallSite.of("intel_gvt_kick_schedule");
  static final CallSite AT_GVT_SCHEDULE = CallSite.of("intel_gvt_schedule");
  static final CallSite AT_RING_MODE_WRITE = CallSite.of("ring_mode_mmio_write");
  static final CallSite AT_START_SCHEDULE = CallSite.of("intel_vgpu_start_schedule");
  static final CallSite AT_STOP_SCHEDULE = CallSite.of("intel_vgpu_stop_schedule");

  /** {@code vfiosim.variants.iommu-lock}: the kernel's mutex, or Alex Williamson's RFC (Jan 2020) rwsem. */
  public static final List<String> IOMMU_LOCK_VARIANTS = List.of("mutex", "rwsem");
  /** {@code vfiosim.variants.dma-rw-mm}: the kernel's get_task_mm, or Yan Zhao's mmget_not_zero. */
  public static final List<String> DMA_RW_MM_VARIANTS = List.of("get_task_mm", "mmget_not_zero");

  /**
   * What-if variants of the kernel model ({@code vfiosim.variants}), each a change proposed in the
   * seed threads and never merged.
   *
   * @param iommuRwsem Alex Williamson's RFC "vfio/type1: Reduce vfio_iommu.lock contention":
   *     &iommu->lock an rw_semaphore, read for pin, unpin, dma_rw and vfio_pgsize_bitmap, with a
   *     &dma->pfn_list_lock per vfio_dma
   * @param dmaRwMmgetNotZero Yan Zhao's prototype (reference §5C): vfio_iommu_type1_dma_rw_chunk
   *     takes the mapper's mm by mmget_not_zero(dma->task->mm) instead of get_task_mm(dma->task)
   *     (no task_lock)
   */
  public record Variants(boolean iommuRwsem, boolean dmaRwMmgetNotZero) {
    /** The kernel as it is. */
    public static final Variants NONE = new Variants(false, false);
  }

  public final Model model;
  public final Costs costs;
  public final Generation gen;
  /** The what-if variants this model runs ({@link Variants#NONE}: the kernel as it is). */
  public final Variants variants;
  public final Domain hostDomain;
  public final VfioCore core;

  final LockClass groupLock;
  final LockClass iommuGroupMutex;
  final LockClass unboundLock;
  final LockClass deviceLock;
  final LockClass groupNotifierRwsem;
  final LockClass containerGroupLock;
  final LockClass iommuLock;
  /** {@code &dma->pfn_list_lock} (the RFC's 3/3), null without the rwsem variant. */
  final LockClass pfnListLock;
  final LockClass iommuNotifierRwsem;
  final LockClass mmapLock;
  final LockClass taskLock;
  final LockClass kvmSrcu;
  final LockClass cacheLock;
  final LockClass vgpuLock;
  final LockClass gvtLock;
  final LockClass schedLock;

  final int opPinPages;
  final int opUnpinPages;
  final int opGroupPinPages;
  final int opGroupUnpinPages;
  final int opDmaRw;
  final int opGetExternalUser;
  final int opPutExternalUser;
  final int opKvmReadGuest;
  final int opKvmWriteGuest;
  final int opKvmgtRwGpa;
  final int opKvmgtDmaMap;
  final int opKvmgtDmaUnmap;
  final int opMapDma;
  final int opUnmapDma;
  final int opUnsetContainer;
  final int opVgpuOpen;
  final int opVgpuRelease;
  final int opGvtWorkload;
  final int opPopulateShadowContext;
  final int opUpdateGuestContext;

  private final List<Vm> vms = new ArrayList<>();
  private final List<Vgpu> vgpus = new ArrayList<>();
  private final List<Gpu> gpus = new ArrayList<>();

  /** A VM: its QEMU process (mm), KVM instance and type1 container. */
  public record Vm(String name, int index, Domain domain, Mm mm, Kvm kvm, Container container) {}

  /** A vGPU: its vfio group (one mdev = one group) and its kvmgt client. */
  public record Vgpu(String name, int index, Vm vm, Gpu gpu, VfioGroup group, Kvmgt kvmgt) {}

  /** A physical GPU: the GVT device shared by its vGPUs. */
  public record Gpu(String name, int index, Domain domain, Gvt gvt) {}

  /** What a VM's process and container look like (the script's {@code vm} options). */
  public record VmSpec(long mem, long rlimitMemlockPages, boolean capIpcLock, boolean type1v2, boolean iommuBacked,
      GuestBacking.Layout backing, int dmaEntryLimit) {
    /** 4 GiB, unlimited memlock, no CAP_IPC_LOCK, TYPE1v2, GVT-only, contiguous, 65535 mappings. */
    public static VmSpec defaults(long mem) {
      return new VmSpec(mem, MmState.RLIM_INFINITY, false, true, false, GuestBacking.Layout.CONTIGUOUS, 65535);
    }
  }

  public KernelModel(Costs costs, Generation gen) {
    this(costs, gen, Variants.NONE);
  }

  /** @param variants the what-if variants of the kernel model ({@link Variants}) */
  public KernelModel(Costs costs, Generation gen, Variants variants) {
    this.costs = costs;
    this.gen = gen;
    this.variants = variants;
    this.model = new Model(costs.crossDomain);
    Costs.LockCost mx = costs.mutex;
    Costs.LockCost rw = costs.rwsem;
    Costs.LockCost sp = costs.spinlock;
    groupLock = mutexClass("vfio.group_lock", mx);
    iommuGroupMutex = mutexClass("&iommu_group->mutex", mx);
    unboundLock = mutexClass("&group->unbound_lock", mx);
    deviceLock = mutexClass("&group->device_lock", mx);
    groupNotifierRwsem = model.lockClass("&(&group->notifier)->rwsem", LockKind.RWSEM, rw.acquire(), rw.release(),
        rw.handoff());
    containerGroupLock = model.lockClass("&container->group_lock", LockKind.RWSEM, rw.acquire(), rw.release(),
        rw.handoff());
    if (variants.iommuRwsem()) { // the RFC's 1/3: struct mutex lock -> struct rw_semaphore lock
      iommuLock = model.lockClass("&iommu->lock", LockKind.RWSEM, rw.acquire(), rw.release(), rw.handoff());
      pfnListLock = mutexClass("&dma->pfn_list_lock", mx);
    } else {
      iommuLock = mutexClass("&iommu->lock", mx);
      pfnListLock = null;
    }
    iommuNotifierRwsem = model.lockClass("&(&iommu->notifier)->rwsem", LockKind.RWSEM, rw.acquire(), rw.release(),
        rw.handoff());
    mmapLock = model.lockClass("&mm->mmap_lock", LockKind.RWSEM, rw.acquire(), rw.release(), rw.handoff());
    taskLock = model.lockClass("&p->alloc_lock", LockKind.SPINLOCK, sp.acquire(), sp.release(), sp.handoff());
    kvmSrcu = model.lockClass("kvm->srcu", LockKind.RWSEM, costs.srcu.acquire(), costs.srcu.release(), 0);
    cacheLock = mutexClass("&vdev->cache_lock", mx);
    vgpuLock = mutexClass("&vgpu->vgpu_lock", mx);
    gvtLock = mutexClass("&gvt->lock", mx);
    schedLock = mutexClass("&gvt->sched_lock", mx);

    opPinPages = model.op("vfio_pin_pages");
    opUnpinPages = model.op("vfio_unpin_pages");
    opGroupPinPages = model.op("vfio_group_pin_pages");
    opGroupUnpinPages = model.op("vfio_group_unpin_pages");
    opDmaRw = model.op("vfio_dma_rw");
    opGetExternalUser = model.op("vfio_group_get_external_user_from_dev");
    opPutExternalUser = model.op("vfio_group_put_external_user");
    opKvmReadGuest = model.op("kvm_read_guest");
    opKvmWriteGuest = model.op("kvm_write_guest");
    opKvmgtRwGpa = model.op("kvmgt_rw_gpa");
    opKvmgtDmaMap = model.op("kvmgt_dma_map_guest_page");
    opKvmgtDmaUnmap = model.op("kvmgt_dma_unmap_guest_page");
    opMapDma = model.op("VFIO_IOMMU_MAP_DMA");
    opUnmapDma = model.op("VFIO_IOMMU_UNMAP_DMA");
    opUnsetContainer = model.op("VFIO_GROUP_UNSET_CONTAINER");
    opVgpuOpen = model.op("intel_vgpu_open");
    opVgpuRelease = model.op("intel_vgpu_release");
    opGvtWorkload = model.op("gvt_workload");
    opPopulateShadowContext = model.op("populate_shadow_context");
    opUpdateGuestContext = model.op("update_guest_context");

    hostDomain = model.domain("host");
    model.hub(hostDomain); // VM and GPU domains call the VFIO core; it never calls out
    core = model.actor(new VfioCore(this, hostDomain), hostDomain);
  }

  private LockClass mutexClass(String name, Costs.LockCost c) {
    return model.lockClass(name, LockKind.MUTEX, c.acquire(), c.release(), c.handoff());
  }

  // ---------------------------------------------------------------- building

  /** A physical GPU with its GVT device, in domain {@code d}. */
  public Gpu addGpu(String name, Domain d) {
    Gvt gvt = model.actor(new Gvt(this, name, d), d);
    Gpu g = new Gpu(name, gpus.size(), d, gvt);
    gpus.add(g);
    return g;
  }

  /** A VM (QEMU process, KVM, container) in domain {@code d}. */
  public Vm addVm(String name, Domain d, VmSpec spec) {
    int index = vms.size();
    GuestBacking backing = new GuestBacking(index, spec.mem(), spec.backing());
    MmState state = new MmState(backing, spec.rlimitMemlockPages(), spec.capIpcLock());
    Mm mm = model.actor(new Mm(this, name, d, state), d);
    Kvm kvm = model.actor(new Kvm(this, name, d, spec.mem(), mm), d);
    Container c = model.actor(new Container(this, name, d, spec.type1v2(), spec.dmaEntryLimit(), mm), d);
    Vm vm = new Vm(name, index, d, mm, kvm, c);
    vms.add(vm);
    if (spec.iommuBacked()) {
      c.attachIommuBackedGroup();
    }
    return vm;
  }

  /**
   * A vGPU of {@code vm} on {@code gpu}: an mdev with its own vfio group of {@code devices} devices
   * and a kvmgt client. Both live in the VM's domain, which must be the GPU's too.
   */
  public Vgpu addVgpu(String name, Vm vm, Gpu gpu, int devices, boolean notifierUnpins) {
    if (vm.domain() != gpu.domain()) {
      throw new IllegalArgumentException(name + ": VM " + vm.name() + " and GPU " + gpu.name()
          + " must share a domain (kvmgt calls both with no latency)");
    }
    int index = vgpus.size();
    VfioGroup g = model.actor(new VfioGroup(this, name, index, vm.domain(), devices), vm.domain());
    Kvmgt k = model.actor(new Kvmgt(this, name, index, vm.domain(), notifierUnpins), vm.domain());
    g.kvmgt = k;
    k.group = g;
    k.gvt = gpu.gvt();
    k.vm = vm;
    gpu.gvt().vgpus.add(k);
    Vgpu v = new Vgpu(name, index, vm, gpu, g, k);
    vgpus.add(v);
    return v;
  }

  /**
   * The vGPU comes into being as the script's {@code vgpu} statement says: the mdev is created (its
   * group joins {@code vfio.group_list}), QEMU opens the group fd and sets the container, KVM adds
   * the group ({@code container_users} 2). Setup: no simulated lock, no virtual time.
   */
  public void createAndAttach(Vgpu v) {
    core.registerGroup(v.group());
    v.group().setupAttach(v.vm());
  }

  // ---------------------------------------------------------------- queries

  public List<Vm> vms() {
    return Collections.unmodifiableList(vms);
  }

  public List<Vgpu> vgpus() {
    return Collections.unmodifiableList(vgpus);
  }

  public List<Gpu> gpus() {
    return Collections.unmodifiableList(gpus);
  }

  /** Kernel-level findings (BUG, WARN), in VM order then time order. */
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>(core.findings);
    for (Vm vm : vms) {
      out.addAll(vm.container().findings);
    }
    for (Vgpu v : vgpus) {
      out.addAll(v.kvmgt().findings);
      out.addAll(v.group().findings);
    }
    return out;
  }

  /** The end-of-run invariants of design §6 over this stack. */
  public List<Invariant> invariants() {
    return Invariants.of(this);
  }

  /** The invariants that hold once every VM has shut down (design §6 baselines). */
  public List<Invariant> teardownInvariants() {
    return Invariants.teardown(this);
  }
}
