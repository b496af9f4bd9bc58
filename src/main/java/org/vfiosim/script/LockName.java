package org.vfiosim.script;

import java.util.Optional;

/**
 * The lock classes {@code assert acquisitions} can name, spelled as in {@code lock_stat} (the v5.10
 * names, in every generation), with the kind of owner that tells their instances apart.
 */
public enum LockName {
  VFIO_GROUP_LOCK("vfio.group_lock", Kind.HOST),
  IOMMU_GROUP_MUTEX("&iommu_group->mutex", Kind.VGPU),
  GROUP_UNBOUND_LOCK("&group->unbound_lock", Kind.VGPU),
  GROUP_DEVICE_LOCK("&group->device_lock", Kind.VGPU),
  CONTAINER_GROUP_LOCK_R("&container->group_lock-R", Kind.VM),
  CONTAINER_GROUP_LOCK_W("&container->group_lock-W", Kind.VM),
  IOMMU_LOCK("&iommu->lock", Kind.VM),
  MMAP_LOCK_R("&mm->mmap_lock-R", Kind.VM),
  MMAP_LOCK_W("&mm->mmap_lock-W", Kind.VM),
  VDEV_CACHE_LOCK("&vdev->cache_lock", Kind.VGPU),
  VGPU_LOCK("&vgpu->vgpu_lock", Kind.VGPU),
  GVT_SCHED_LOCK("&gvt->sched_lock", Kind.GPU),
  KVM_SRCU("kvm->srcu", Kind.VM);

  /** The kind of {@link Owner} a lock's instances belong to. */
  public enum Kind {
    HOST("host"),
    VM("a VM"),
    VGPU("a vGPU"),
    GPU("gpuN");

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    /** For messages: {@code host}, {@code a VM}, {@code a vGPU}, {@code gpuN}. */
    public String description() {
      return description;
    }
  }

  private final String lockStatName;
  private final Kind ownerKind;

  LockName(String lockStatName, Kind ownerKind) {
    this.lockStatName = lockStatName;
    this.ownerKind = ownerKind;
  }

  /** The name as in {@code lock_stat} and in scripts ({@code &mm->mmap_lock-W}). */
  public String lockStatName() {
    return lockStatName;
  }

  public Kind ownerKind() {
    return ownerKind;
  }

  public static Optional<LockName> byLockStatName(String name) {
    for (LockName l : values()) {
      if (l.lockStatName.equals(name)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return lockStatName;
  }
}
