package org.vfiosim.actors;

import static org.vfiosim.kernel.Errno.E2BIG;
import static org.vfiosim.kernel.Errno.EBUSY;
import static org.vfiosim.kernel.Errno.EINVAL;
import static org.vfiosim.kernel.Errno.ENODEV;
import static org.vfiosim.kernel.KernelConstants.VFIO_PIN_PAGES_MAX_ENTRIES;

import java.util.ArrayList;
import java.util.List;
import org.vfiosim.run.Finding;
import org.vfiosim.sim.AtomicVar;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.FramePool;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimRwsem;
import org.vfiosim.sim.SimThread;

/**
 * A vfio group ({@code struct vfio_group}, vfio.c:71): with GVT-g one mdev vGPU is one group. Owns
 * the group {@code kref}, {@code container_users}, {@code dev_counter}, the per-group mutexes the
 * viability check takes ({@code &iommu_group->mutex}, {@code &group->unbound_lock}, {@code
 * &group->device_lock}) and the SET_KVM notifier chain. Its protocol is the VFIO core API that the
 * vendor driver (kvmgt) and QEMU call on this group or its device.
 */
public final class VfioGroup extends SimActor<VfioGroup.Msg> {
  /** {@code VFIO_IOMMU_NOTIFY}. */
  public static final int IOMMU_NOTIFY = 0;
  /** {@code VFIO_GROUP_NOTIFY}. */
  public static final int GROUP_NOTIFY = 1;
  /** {@code VFIO_IOMMU_NOTIFY_DMA_UNMAP}. */
  public static final long DMA_UNMAP = 1;
  /** {@code VFIO_GROUP_NOTIFY_SET_KVM}. */
  public static final long SET_KVM = 1;

  /** Protocol. */
  public sealed interface Msg
      permits PinPages, UnpinPages, GroupPinPages, GroupUnpinPages, DmaRw, GetExternalUser, PutExternalUser,
          RegisterNotifier, UnregisterNotifier, OpenDevice, ReleaseDevice, UnsetContainer, KvmGroupDel, CloseGroupFd {}

  /** {@code vfio_pin_pages(dev, ...)}: the device API, a group lookup per call. */
  public record PinPages(long[] pfns, int npage, int prot, long[] phys, boolean byKvmgt) implements Msg {}

  /** {@code vfio_unpin_pages(dev, ...)}. */
  public record UnpinPages(long[] pfns, int npage, boolean byKvmgt) implements Msg {}

  /** {@code vfio_group_pin_pages(group, ...)} (v5.7+): the caller holds the external user. */
  public record GroupPinPages(long[] pfns, int npage, int prot, long[] phys, boolean byKvmgt) implements Msg {}

  /** {@code vfio_group_unpin_pages(group, ...)} (v5.7+). */
  public record GroupUnpinPages(long[] pfns, int npage, boolean byKvmgt) implements Msg {}

  /** {@code vfio_dma_rw(group, iova, data, len, write)} (v5.7+). */
  public record DmaRw(long iova, long len, boolean write) implements Msg {}

  /** {@code vfio_group_get_external_user_from_dev(dev)} (v5.7+): 0 or -errno. */
  public record GetExternalUser(boolean byKvmgt) implements Msg {}

  /** {@code vfio_group_put_external_user(group)}. */
  public record PutExternalUser(boolean byKvmgt) implements Msg {}

  /** {@code vfio_register_notifier(dev, type, &events, nb)}. */
  public record RegisterNotifier(int type, long events, Kvmgt nb) implements Msg {}

  /** {@code vfio_unregister_notifier(dev, type, nb)}. */
  public record UnregisterNotifier(int type, Kvmgt nb) implements Msg {}

  /** {@code vfio_group_get_device_fd}: QEMU opens the device (the vendor driver's open runs inside). */
  public record OpenDevice() implements Msg {}

  /** {@code vfio_device_fops_release}: QEMU closes the device fd. */
  public record ReleaseDevice() implements Msg {}

  /** The {@code VFIO_GROUP_UNSET_CONTAINER} ioctl. */
  public record UnsetContainer() implements Msg {}

  /**
   * QEMU's {@code KVM_DEV_VFIO_GROUP_DEL} (virt/kvm/vfio.c): {@code vfio_group_set_kvm(group, NULL)}
   * then {@code vfio_group_put_external_user}: KVM's reference goes.
   */
  public record KvmGroupDel() implements Msg {}

  /** {@code vfio_group_fops_release}: QEMU closes the group fd (dissolve, then put). */
  public record CloseGroupFd() implements Msg {}

  private final KernelModel k;
  final String vgpu;
  /** Index among all vGPUs (also the group's identity in the VFIO core). */
  final int index;
  /** Devices in the group ({@code dev_counter}, v5.8+). */
  final int devices;
  /** {@code group->kref}. */
  public final AtomicVar kref;
  /** {@code group->container_users}. */
  public final AtomicVar containerUsers;
  final AtomicVar deviceKref;
  final AtomicVar iommuGroupKref;
  final SimMutex iommuGroupMutex;
  final SimMutex unboundLock;
  final SimMutex deviceLock;
  final SimRwsem notifierRwsem;
  /** {@code group->container}, null once detached. */
  Container container;
  /** {@code group->kvm}: set by KVM's kvm-vfio device. */
  Kvm kvm;
  Kvmgt kvmgt;
  private final List<Kvmgt> groupNotifiers = new ArrayList<>();
  final List<Finding> findings = new ArrayList<>();

  // Who holds container_users (and a group kref), for the invariant check.
  boolean groupFdOpen;
  boolean qemuHolds;
  boolean kvmHolds;
  int deviceFds;
  boolean kvmgtHolds;
  int otherUsers;

  VfioGroup(KernelModel k, String vgpu, int index, Domain d, int devices) {
    super(vgpu + "/group");
    if (devices < 1) {
      throw new IllegalArgumentException("a group has at least one device");
    }
    this.k = k;
    this.vgpu = vgpu;
    this.index = index;
    this.devices = devices;
    long rmw = k.costs.atomicRmw;
    long bounce = k.costs.atomicBounce;
    // vfio_create_group: the creator's reference, plus one per vfio_device (vfio_group_create_device)
    this.kref = k.model.atomic(vgpu + ":group.kref", rmw, bounce, 1 + devices);
    this.containerUsers = k.model.atomic(vgpu + ":container_users", rmw, bounce, 0);
    this.deviceKref = k.model.atomic(vgpu + ":device.kref", rmw, bounce, 1);
    this.iommuGroupKref = k.model.atomic(vgpu + ":iommu_group.kobj", rmw, bounce, 1);
    this.iommuGroupMutex = k.model.mutex(k.iommuGroupMutex, vgpu, d);
    this.unboundLock = k.model.mutex(k.unboundLock, vgpu, d);
    this.deviceLock = k.model.mutex(k.deviceLock, vgpu, d);
    this.notifierRwsem = k.model.rwsem(k.groupNotifierRwsem, vgpu, d);
  }

  /**
   * Setup of the script's {@code vgpu} statement: QEMU opens the group fd (kref +1) and
   * VFIO_GROUP_SET_CONTAINER (container_users +1, type1 attach_group), KVM's
   * KVM_DEV_VFIO_GROUP_ADD (vfio_group_get_external_user: container_users +1, kref +1, set_kvm).
   */
  void setupAttach(KernelModel.Vm vm) {
    container = vm.container();
    container.attachExternalGroup();
    kref.value += 2;
    containerUsers.value = 2;
    groupFdOpen = true;
    qemuHolds = true;
    kvmHolds = true;
    kvm = vm.kvm();
  }

  /** The container this group is attached to, or null. */
  public Container container() {
    return container;
  }

  /** Expected container_users from the holders: QEMU, KVM, open device fds, kvmgt, other callers. */
  long expectedContainerUsers() {
    return (qemuHolds ? 1 : 0) + (kvmHolds ? 1 : 0) + deviceFds + (kvmgtHolds ? 1 : 0) + otherUsers;
  }

  /** Expected kref: creator, devices, group fd, KVM, kvmgt, other external users, open device fds. */
  long expectedKref() {
    return 1 + devices + (groupFdOpen ? 1 : 0) + (kvmHolds ? 1 : 0) + (kvmgtHolds ? 1 : 0) + otherUsers + deviceFds;
  }

  private boolean containerCrashed() {
    return container != null && container.crashed();
  }

  // Frames of the hot calls (kvmgt's pin, unpin, dma_rw; the device API's group lookup and
  // container-user helpers), reused (see FramePool).
  private final FramePool<GroupPinPagesFrame> groupPinPagesFrames = new FramePool<>(GroupPinPagesFrame::new);
  private final FramePool<GroupUnpinPagesFrame> groupUnpinPagesFrames = new FramePool<>(GroupUnpinPagesFrame::new);
  private final FramePool<DmaRwFrame> dmaRwFrames = new FramePool<>(DmaRwFrame::new);
  private final FramePool<PinPagesFrame> pinPagesFrames = new FramePool<>(PinPagesFrame::new);
  private final FramePool<UnpinPagesFrame> unpinPagesFrames = new FramePool<>(UnpinPagesFrame::new);
  private final FramePool<GroupGetFromDev> groupGetFromDevs = new FramePool<>(GroupGetFromDev::new);
  private final FramePool<GroupPut> groupPuts = new FramePool<>(GroupPut::new);
  private final FramePool<Viable> viables = new FramePool<>(Viable::new);
  private final FramePool<AddContainerUser> addContainerUsers = new FramePool<>(AddContainerUser::new);
  private final FramePool<TryDissolve> tryDissolves = new FramePool<>(TryDissolve::new);
  /** This group's vfio_group_get_from_iommu() lookup (the same message every time). */
  private final VfioCore.GroupGetFromIommu getFromIommu = new VfioCore.GroupGetFromIommu(this);

  @Override
  protected KFrame receive(SimThread t, Msg msg) {
    if (msg instanceof GroupPinPages m) {
      return groupPinPagesFrames.take().init(m);
    }
    if (msg instanceof GroupUnpinPages m) {
      return groupUnpinPagesFrames.take().init(m);
    }
    if (msg instanceof DmaRw m) {
      return dmaRwFrames.take().init(m);
    }
    if (msg instanceof PinPages m) {
      return pinPagesFrames.take().init(m);
    }
    if (msg instanceof UnpinPages m) {
      return unpinPagesFrames.take().init(m);
    }
    if (msg instanceof GetExternalUser m) {
      return new GetExternalUserFrame(m.byKvmgt());
    }
    if (msg instanceof PutExternalUser m) {
      return new PutExternalUserFrame(m.byKvmgt());
    }
    if (msg instanceof RegisterNotifier m) {
      return new NotifierFrame(m.type(), m.events(), m.nb(), true);
    }
    if (msg instanceof UnregisterNotifier m) {
      return new NotifierFrame(m.type(), 0, m.nb(), false);
    }
    if (msg instanceof OpenDevice) {
      return new OpenDeviceFrame();
    }
    if (msg instanceof ReleaseDevice) {
      return new ReleaseDeviceFrame();
    }
    if (msg instanceof KvmGroupDel) {
      return new KvmGroupDelFrame();
    }
    if (msg instanceof CloseGroupFd) {
      return new CloseGroupFdFrame();
    }
    return new UnsetContainerFrame();
  }

  // ---------------------------------------------------------------- helpers (vfio.c internals)

  /**
   * vfio_group_get_from_dev() (v5.10 vfio.c:517): iommu_group_get (atomic), the global lookup in the
   * VFIO core (vfio.group_lock, list walk), kref_get on a match, iommu_group_put. Returns 1 when
   * found (the caller then holds a group reference), 0 for NULL.
   */
  private final class GroupGetFromDev extends KFrame {
    private boolean found;

    GroupGetFromDev init() {
      found = false;
      return this;
    }

    @Override
    protected void recycle() {
      groupGetFromDevs.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.atomic(iommuGroupKref)) { // iommu_group_get
              return;
            }
            continue;
          case 1:
            pc = 2;
            t.send(k.core, getFromIommu, k.costs.crossDomain);
            return;
          case 2:
            found = t.retval == 0;
            if (found) {
              pc = 3;
              if (!t.atomic(kref)) { // kref_get under vfio.group_lock
                return;
              }
              continue;
            }
            pc = 4;
            continue;
          case 3:
            kref.value++;
            pc = 4;
            continue;
          case 4:
            pc = 5;
            if (!t.atomic(iommuGroupKref)) { // iommu_group_put
              return;
            }
            continue;
          case 5:
            t.ret(found ? 1 : 0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_group_get_from_dev";
    }
  }

  /**
   * vfio_group_put(): kref_put_mutex(&group->kref, vfio_group_release, &vfio.group_lock). The
   * creator's reference keeps the count above 0 while the mdev exists, so the final put (which
   * takes the global lock) does not happen in a run.
   */
  private final class GroupPut extends KFrame {
    GroupPut init() {
      return this;
    }

    @Override
    protected void recycle() {
      groupPuts.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          if (!t.atomic(kref)) {
            return;
          }
          // fall through
        case 1:
          kref.value--;
          if (kref.value <= 0) {
            findings.add(new Finding(Finding.Kind.WARN, container == null ? null : container.vm, "vfio_group_put",
                "group " + vgpu + " kref dropped to " + kref.value));
          }
          t.ret(0);
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "vfio_group_put";
    }
  }

  /**
   * vfio_group_viable() (v5.10 vfio.c:1410) → iommu_group_for_each_dev(vfio_dev_viable): under
   * &iommu_group->mutex, for each device the unbound list (&group->unbound_lock) and
   * vfio_group_get_device (&group->device_lock, device and group kref get), then the puts. Every
   * device of an mdev group is bound to vfio, so the group is viable.
   */
  private final class Viable extends KFrame {
    private int dev;

    Viable init() {
      dev = 0;
      return this;
    }

    @Override
    protected void recycle() {
      viables.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.lock(iommuGroupMutex, KernelModel.AT_GROUP_FOR_EACH_DEV)) {
              return;
            }
            continue;
          case 1:
            dev = 0;
            pc = 2;
            continue;
          case 2:
            if (dev >= devices) {
              t.unlock(iommuGroupMutex);
              t.ret(1);
              return;
            }
            pc = 3;
            if (!t.lock(unboundLock, KernelModel.AT_DEV_VIABLE)) {
              return;
            }
            continue;
          case 3:
            t.unlock(unboundLock); // not on the unbound list
            pc = 4;
            if (!t.lock(deviceLock, KernelModel.AT_GROUP_GET_DEVICE)) {
              return;
            }
            continue;
          case 4:
            t.cost((dev + 1) * k.costs.listWalkElement); // walk group->device_list
            pc = 5;
            if (!t.atomic(kref)) { // vfio_device_get: vfio_group_get
              return;
            }
            continue;
          case 5:
            pc = 6;
            if (!t.atomic(deviceKref)) { // kref_get(&device->kref)
              return;
            }
            continue;
          case 6:
            t.unlock(deviceLock);
            pc = 7;
            if (!t.atomic(deviceKref)) { // vfio_device_put: kref_put_mutex (not the last)
              return;
            }
            continue;
          case 7:
            pc = 8;
            if (!t.atomic(kref)) { // vfio_group_put
              return;
            }
            continue;
          case 8:
            dev++;
            pc = 2;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_group_viable";
    }
  }

  /**
   * vfio_group_add_container_user() (v5.10 vfio.c:1416): atomic_inc_not_zero(container_users)
   * (0 → -EINVAL), no driver or not viable → undo and -EINVAL.
   */
  private final class AddContainerUser extends KFrame {
    AddContainerUser init() {
      return this;
    }

    @Override
    protected void recycle() {
      addContainerUsers.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.atomic(containerUsers)) {
              return;
            }
            continue;
          case 1:
            if (containerUsers.value == 0) {
              t.ret(-EINVAL);
              return;
            }
            containerUsers.value++;
            if (container == null || !container.driverSet) {
              pc = 3;
              continue;
            }
            pc = 2;
            t.call(viables.take().init());
            return;
          case 2:
            if (t.retval == 1) {
              t.ret(0);
              return;
            }
            pc = 3;
            continue;
          case 3:
            pc = 4;
            if (!t.atomic(containerUsers)) {
              return;
            }
            continue;
          case 4:
            containerUsers.value--;
            t.ret(-EINVAL);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_group_add_container_user";
    }
  }

  /**
   * vfio_group_try_dissolve_container() (v5.10 vfio.c:1347): atomic_dec_if_positive; reaching 0
   * detaches the group from its container (__vfio_group_unset_container).
   */
  private final class TryDissolve extends KFrame {
    private Container c;

    TryDissolve init() {
      c = null;
      return this;
    }

    @Override
    protected void recycle() {
      c = null;
      tryDissolves.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.atomic(containerUsers)) {
              return;
            }
            continue;
          case 1:
            if (containerUsers.value <= 0) {
              t.ret(0);
              return;
            }
            containerUsers.value--;
            if (containerUsers.value != 0 || container == null) {
              t.ret(0);
              return;
            }
            c = container;
            pc = 2;
            t.send(c, new Container.UnsetGroup(VfioGroup.this), 0);
            return;
          case 2:
            container = null;
            t.ret(0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_group_try_dissolve_container";
    }
  }

  // ---------------------------------------------------------------- the device API (≤ v5.6 kvmgt)

  /**
   * vfio_pin_pages(dev, ...) (v5.10 vfio.c:1934; v5.6 :1880): !npage → -EINVAL; npage > 512 →
   * -E2BIG; group lookup (-ENODEV); v5.8+ dev_counter > 1 → -EINVAL; add_container_user; type1
   * pin_pages; dissolve; put.
   */
  private final class PinPagesFrame extends KFrame {
    private PinPages m;
    private long ret;

    PinPagesFrame init(PinPages m) {
      this.m = m;
      this.ret = 0;
      return this;
    }

    @Override
    protected void recycle() {
      m = null;
      pinPagesFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            begin(t, k.opPinPages, m.npage(), k.costs.callEntry);
            if (containerCrashed()) {
              leave(t, RET_BUG);
              return;
            }
            if (m.npage() == 0) {
              leave(t, -EINVAL);
              return;
            }
            if (m.npage() > VFIO_PIN_PAGES_MAX_ENTRIES) {
              leave(t, -E2BIG);
              return;
            }
            pc = 1;
            t.call(groupGetFromDevs.take().init());
            return;
          case 1:
            if (t.retval == 0) {
              leave(t, -ENODEV);
              return;
            }
            if (k.gen.hasDevCounter() && devices > 1) {
              ret = -EINVAL;
              pc = 5;
              continue;
            }
            pc = 2;
            t.call(addContainerUsers.take().init());
            return;
          case 2:
            if (t.retval != 0) {
              ret = t.retval;
              pc = 5;
              continue;
            }
            pc = 3;
            t.cost(k.costs.callIndirect); // container->iommu_driver->ops->...
            t.send(container, new Container.PinPages(m.pfns(), m.npage(), m.prot(), m.phys(), m.byKvmgt()), 0);
            return;
          case 3:
            ret = t.retval;
            pc = 4;
            t.call(tryDissolves.take().init());
            return;
          case 4:
          case 5:
            pc = 6;
            t.call(groupPuts.take().init());
            return;
          case 6:
            leave(t, ret);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_pin_pages";
    }
  }

  /** vfio_unpin_pages(dev, ...) (v5.10 vfio.c:1987): the same pattern, no dev_counter check. */
  private final class UnpinPagesFrame extends KFrame {
    private UnpinPages m;
    private long ret;

    UnpinPagesFrame init(UnpinPages m) {
      this.m = m;
      this.ret = 0;
      return this;
    }

    @Override
    protected void recycle() {
      m = null;
      unpinPagesFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            begin(t, k.opUnpinPages, m.npage(), k.costs.callEntry);
            if (containerCrashed()) {
              leave(t, RET_BUG);
              return;
            }
            if (m.npage() == 0) {
              leave(t, -EINVAL);
              return;
            }
            if (m.npage() > VFIO_PIN_PAGES_MAX_ENTRIES) {
              leave(t, -E2BIG);
              return;
            }
            pc = 1;
            t.call(groupGetFromDevs.take().init());
            return;
          case 1:
            if (t.retval == 0) {
              leave(t, -ENODEV);
              return;
            }
            pc = 2;
            t.call(addContainerUsers.take().init());
            return;
          case 2:
            if (t.retval != 0) {
              ret = t.retval;
              pc = 5;
              continue;
            }
            pc = 3;
            t.cost(k.costs.callIndirect); // container->iommu_driver->ops->...
            t.send(container, new Container.UnpinPages(m.pfns(), m.npage(), m.byKvmgt()), 0);
            return;
          case 3:
            ret = t.retval;
            pc = 4;
            t.call(tryDissolves.take().init());
            return;
          case 4:
          case 5:
            pc = 6;
            t.call(groupPuts.take().init());
            return;
          case 6:
            leave(t, ret);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_unpin_pages";
    }
  }

  // ---------------------------------------------------------------- the group API (v5.7+)

  /**
   * vfio_group_pin_pages() (v5.10 vfio.c:2045): !npage → -EINVAL; v5.8+ dev_counter > 1 → -EINVAL
   * (before the size check, unlike vfio_pin_pages); npage > 512 → -E2BIG; then type1 pin_pages with
   * no lookup, no container_users RMW, no group lock.
   */
  private final class GroupPinPagesFrame extends KFrame {
    private GroupPinPages m;

    GroupPinPagesFrame init(GroupPinPages m) {
      this.m = m;
      return this;
    }

    @Override
    protected void recycle() {
      m = null;
      groupPinPagesFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0: {
          begin(t, k.opGroupPinPages, m.npage(), k.costs.callEntry);
          if (containerCrashed()) {
            leave(t, RET_BUG);
            return;
          }
          if (m.npage() == 0) {
            leave(t, -EINVAL);
            return;
          }
          if (k.gen.hasDevCounter() && devices > 1) {
            leave(t, -EINVAL);
            return;
          }
          if (m.npage() > VFIO_PIN_PAGES_MAX_ENTRIES) {
            leave(t, -E2BIG);
            return;
          }
          if (noContainer(this, t, "vfio_group_pin_pages")) {
            return;
          }
          pc = 1;
          t.cost(k.costs.callIndirect); // container->iommu_driver->ops->...
          t.send(container, new Container.PinPages(m.pfns(), m.npage(), m.prot(), m.phys(), m.byKvmgt()), 0);
          return;
        }
        case 1:
          leave(t, t.retval);
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "vfio_group_pin_pages";
    }
  }

  /** vfio_group_unpin_pages() (v5.10 vfio.c:2093): !npage → -EINVAL; > 512 → -E2BIG; type1 unpin. */
  private final class GroupUnpinPagesFrame extends KFrame {
    private GroupUnpinPages m;

    GroupUnpinPagesFrame init(GroupUnpinPages m) {
      this.m = m;
      return this;
    }

    @Override
    protected void recycle() {
      m = null;
      groupUnpinPagesFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0: {
          begin(t, k.opGroupUnpinPages, m.npage(), k.costs.callEntry);
          if (containerCrashed()) {
            leave(t, RET_BUG);
            return;
          }
          if (m.npage() == 0) {
            leave(t, -EINVAL);
            return;
          }
          if (m.npage() > VFIO_PIN_PAGES_MAX_ENTRIES) {
            leave(t, -E2BIG);
            return;
          }
          if (noContainer(this, t, "vfio_group_unpin_pages")) {
            return;
          }
          pc = 1;
          t.cost(k.costs.callIndirect); // container->iommu_driver->ops->...
          t.send(container, new Container.UnpinPages(m.pfns(), m.npage(), m.byKvmgt()), 0);
          return;
        }
        case 1:
          leave(t, t.retval);
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "vfio_group_unpin_pages";
    }
  }

  /** vfio_dma_rw() (v5.10 vfio.c:2144): len 0 → -EINVAL; type1 dma_rw; no group refcounting. */
  private final class DmaRwFrame extends KFrame {
    private DmaRw m;

    DmaRwFrame init(DmaRw m) {
      this.m = m;
      return this;
    }

    @Override
    protected void recycle() {
      m = null;
      dmaRwFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0: {
          long pages = m.len() <= 0 ? 0 : ((m.iova() + m.len() - 1) >>> 12) - (m.iova() >>> 12) + 1;
          begin(t, k.opDmaRw, pages, k.costs.callEntry);
          if (containerCrashed()) {
            leave(t, RET_BUG);
            return;
          }
          if (m.len() <= 0) {
            leave(t, -EINVAL);
            return;
          }
          if (noContainer(this, t, "vfio_dma_rw")) {
            return;
          }
          pc = 1;
          t.cost(k.costs.callIndirect); // container->iommu_driver->ops->...
          t.send(container, new Container.DmaRw(m.iova(), m.len(), m.write()), 0);
          return;
        }
        case 1:
          leave(t, t.retval);
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "vfio_dma_rw";
    }
  }

  /**
   * The group API assumes the caller's external user keeps {@code group->container} set; with no
   * container the kernel dereferences NULL. vfiosim returns -EINVAL and records a WARN.
   */
  private boolean noContainer(KFrame f, SimThread t, String fn) {
    if (container != null) {
      return false;
    }
    findings.add(new Finding(Finding.Kind.WARN, null, fn,
        fn + " on group " + vgpu + " with no container (the kernel dereferences a NULL container)"));
    f.leave(t, -EINVAL);
    return true;
  }

  /**
   * vfio_group_get_external_user_from_dev() (v5.10 vfio.c:1758): lookup (-ENODEV), then
   * add_container_user; failure drops the lookup's reference (the v3→v4 fix). Success keeps one
   * kref and one container_users.
   */
  private final class GetExternalUserFrame extends KFrame {
    private final boolean byKvmgt;
    private long ret;

    GetExternalUserFrame(boolean byKvmgt) {
      this.byKvmgt = byKvmgt;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            begin(t, k.opGetExternalUser, 0, k.costs.callEntry);
            pc = 1;
            t.call(groupGetFromDevs.take().init());
            return;
          case 1:
            if (t.retval == 0) {
              leave(t, -ENODEV);
              return;
            }
            pc = 2;
            t.call(addContainerUsers.take().init());
            return;
          case 2:
            ret = t.retval;
            if (ret != 0) {
              pc = 3;
              t.call(groupPuts.take().init());
              return;
            }
            if (byKvmgt) {
              kvmgtHolds = true;
            } else {
              otherUsers++;
            }
            leave(t, 0);
            return;
          case 3:
            leave(t, ret);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_group_get_external_user_from_dev";
    }
  }

  /** vfio_group_put_external_user() (v5.10 vfio.c:1777): try_dissolve then vfio_group_put. */
  private final class PutExternalUserFrame extends KFrame {
    private final boolean byKvmgt;

    PutExternalUserFrame(boolean byKvmgt) {
      this.byKvmgt = byKvmgt;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            begin(t, k.opPutExternalUser, 0, k.costs.callEntry);
            if (byKvmgt) {
              kvmgtHolds = false;
            } else {
              otherUsers--;
            }
            pc = 1;
            t.call(tryDissolves.take().init());
            return;
          case 1:
            pc = 2;
            t.call(groupPuts.take().init());
            return;
          case 2:
            leave(t, 0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_group_put_external_user";
    }
  }

  // ---------------------------------------------------------------- notifiers

  /**
   * vfio_register_notifier / vfio_unregister_notifier (v5.10 vfio.c:2276, :2305): the group lookup
   * (global lock), then for IOMMU notifiers add_container_user (any failure is -EINVAL) and type1's
   * (un)register; for GROUP notifiers (SET_KVM only) the group chain, replaying SET_KVM at once when
   * KVM is already attached; then dissolve and put.
   */
  private final class NotifierFrame extends KFrame {
    private final int type;
    private final long events;
    private final Kvmgt nb;
    private final boolean register;
    private long ret;

    NotifierFrame(int type, long events, Kvmgt nb, boolean register) {
      this.type = type;
      this.events = events;
      this.nb = nb;
      this.register = register;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            t.cost(k.costs.callEntry);
            if (register && events == 0) {
              t.ret(-EINVAL);
              return;
            }
            pc = 1;
            t.call(groupGetFromDevs.take().init());
            return;
          case 1:
            if (t.retval == 0) {
              t.ret(-ENODEV);
              return;
            }
            if (register && type == GROUP_NOTIFY && (events & ~SET_KVM) != 0) {
              ret = -EINVAL;
              pc = 9;
              continue;
            }
            pc = 2;
            t.call(addContainerUsers.take().init());
            return;
          case 2:
            if (t.retval != 0) {
              ret = -EINVAL; // vfio_register_iommu_notifier reports any failure as -EINVAL
              pc = 9;
              continue;
            }
            if (type == IOMMU_NOTIFY) {
              if (containerCrashed()) {
                ret = RET_BUG;
                pc = 8;
                continue;
              }
              pc = 3;
              t.send(container, register ? new Container.RegisterNotifier(nb, events)
                  : new Container.UnregisterNotifier(nb), 0);
              return;
            }
            pc = 4;
            if (!t.lock(notifierRwsem, register ? KernelModel.AT_NOTIFIER_REGISTER
                : KernelModel.AT_NOTIFIER_UNREGISTER)) {
              return;
            }
            continue;
          case 3:
            ret = t.retval;
            pc = 8;
            continue;
          case 4:
            if (register) {
              if (!groupNotifiers.contains(nb)) {
                groupNotifiers.add(nb);
              }
              ret = 0;
            } else {
              ret = groupNotifiers.remove(nb) ? 0 : -org.vfiosim.kernel.Errno.ENOENT;
            }
            t.unlock(notifierRwsem);
            if (register && ret == 0 && kvm != null) {
              pc = 5;
              if (!t.lockRead(notifierRwsem, KernelModel.AT_NOTIFIER_CALL)) { // replay SET_KVM
                return;
              }
              continue;
            }
            pc = 8;
            continue;
          case 5:
            t.cost(k.costs.notifierCall);
            pc = 6;
            t.send(nb, new Kvmgt.SetKvm(kvm), 0);
            return;
          case 6:
            t.unlockRead(notifierRwsem);
            pc = 8;
            continue;
          case 8:
            pc = 9;
            t.call(tryDissolves.take().init());
            return;
          case 9:
            pc = 10;
            t.call(groupPuts.take().init());
            return;
          case 10:
            t.ret(ret);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return register ? "vfio_register_notifier" : "vfio_unregister_notifier";
    }
  }

  // ---------------------------------------------------------------- device fd and group ioctls

  /**
   * vfio_group_get_device_fd() (v5.10 vfio.c): no container users, no driver or not viable →
   * -EINVAL; vfio_device_get_from_name (&group->device_lock); device->ops->open (the vendor
   * driver's open, kvmgt's intel_vgpu_open); then container_users +1 for the fd.
   */
  private final class OpenDeviceFrame extends KFrame {
    private long ret;

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            t.cost(k.costs.callEntry);
            if (containerCrashed()) {
              t.ret(RET_BUG);
              return;
            }
            if (containerUsers.value == 0 || container == null || !container.driverSet) {
              t.ret(-EINVAL);
              return;
            }
            pc = 1;
            t.call(viables.take().init());
            return;
          case 1:
            pc = 2;
            if (!t.lock(deviceLock, KernelModel.AT_DEVICE_GET_FROM_NAME)) {
              return;
            }
            continue;
          case 2:
            t.cost(devices * k.costs.listWalkElement);
            pc = 3;
            if (!t.atomic(kref)) { // vfio_device_get: group reference
              return;
            }
            continue;
          case 3:
            kref.value++;
            pc = 4;
            if (!t.atomic(deviceKref)) {
              return;
            }
            continue;
          case 4:
            deviceKref.value++;
            t.unlock(deviceLock);
            pc = 5;
            t.send(kvmgt, new Kvmgt.Open(), 0);
            return;
          case 5:
            ret = t.retval;
            if (ret != 0) { // vfio_device_put
              pc = 7;
              if (!t.atomic(deviceKref)) {
                return;
              }
              continue;
            }
            pc = 6;
            if (!t.atomic(containerUsers)) {
              return;
            }
            continue;
          case 6:
            containerUsers.value++;
            deviceFds++;
            t.ret(0);
            return;
          case 7:
            deviceKref.value--;
            pc = 8;
            if (!t.atomic(kref)) {
              return;
            }
            continue;
          case 8:
            kref.value--;
            t.ret(ret);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_group_get_device_fd";
    }
  }

  /**
   * vfio_device_fops_release() (v5.10 vfio.c:1627): device->ops->release (kvmgt's
   * intel_vgpu_release), then the fd's dissolve (container_users −1), then vfio_device_put.
   */
  private final class ReleaseDeviceFrame extends KFrame {
    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            t.cost(k.costs.callEntry);
            if (deviceFds == 0) {
              t.ret(-EINVAL); // no open device fd to close
              return;
            }
            pc = 1;
            t.send(kvmgt, new Kvmgt.Release(), 0);
            return;
          case 1:
            deviceFds--;
            pc = 2;
            t.call(tryDissolves.take().init());
            return;
          case 2:
            pc = 3;
            if (!t.atomic(deviceKref)) {
              return;
            }
            continue;
          case 3:
            deviceKref.value--;
            pc = 4;
            if (!t.atomic(kref)) {
              return;
            }
            continue;
          case 4:
            kref.value--;
            t.ret(0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_device_fops_release";
    }
  }

  /**
   * VFIO_GROUP_UNSET_CONTAINER (v5.10 vfio.c:1327): atomic_cmpxchg(container_users, 1, 0): 0 →
   * -EINVAL; anything but 1 → -EBUSY (kvmgt, KVM or a device fd still holds the group);
   * otherwise detach.
   */
  private final class UnsetContainerFrame extends KFrame {
    private Container c;

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            begin(t, k.opUnsetContainer, 0, k.costs.callEntry);
            pc = 1;
            if (!t.atomic(containerUsers)) {
              return;
            }
            continue;
          case 1: {
            long users = containerUsers.value;
            if (users == 0) {
              leave(t, -EINVAL);
              return;
            }
            if (users != 1) {
              leave(t, -EBUSY);
              return;
            }
            containerUsers.value = 0;
            qemuHolds = false;
            if (container == null) {
              leave(t, 0);
              return;
            }
            if (container.crashed()) {
              leave(t, RET_BUG);
              return;
            }
            c = container;
            pc = 2;
            t.send(c, new Container.UnsetGroup(VfioGroup.this), 0);
            return;
          }
          case 2:
            container = null;
            leave(t, 0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_group_unset_container";
    }
  }

  /**
   * kvm_vfio_group_del (virt/kvm/vfio.c): vfio_group_set_kvm(group, NULL) runs the SET_KVM chain
   * with NULL, then KVM's vfio_group_put_external_user.
   */
  private final class KvmGroupDelFrame extends KFrame {
    private int n;

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            t.cost(k.costs.callEntry);
            if (!kvmHolds) {
              t.ret(-EINVAL);
              return;
            }
            kvm = null;
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
            if (n >= groupNotifiers.size()) {
              t.unlockRead(notifierRwsem);
              kvmHolds = false;
              pc = 4;
              t.call(tryDissolves.take().init());
              return;
            }
            t.cost(k.costs.notifierCall);
            pc = 3;
            t.send(groupNotifiers.get(n), new Kvmgt.SetKvm(null), 0);
            return;
          case 3:
            n++;
            pc = 2;
            continue;
          case 4:
            pc = 5;
            t.call(groupPuts.take().init());
            return;
          case 5:
            t.ret(0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "kvm_vfio_group_del";
    }
  }

  /** vfio_group_fops_release (v5.10 vfio.c:1601): try_dissolve (never blocks), opened--, put. */
  private final class CloseGroupFdFrame extends KFrame {
    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          t.cost(k.costs.callEntry);
          if (!groupFdOpen) {
            t.ret(-EINVAL);
            return;
          }
          groupFdOpen = false;
          qemuHolds = false;
          pc = 1;
          t.call(tryDissolves.take().init());
          return;
        case 1:
          pc = 2;
          t.call(groupPuts.take().init());
          return;
        case 2:
          t.ret(0);
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "vfio_group_fops_release";
    }
  }
}
