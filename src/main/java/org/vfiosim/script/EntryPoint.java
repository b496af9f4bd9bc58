package org.vfiosim.script;

import org.vfiosim.kernel.Generation;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel entry points a script can call (the table "Kernel entry points" of {@code
 * script-format.md}), with the kind of their first word and the generations they exist in.
 */
public enum EntryPoint {
  VFIO_IOMMU_MAP_DMA("VFIO_IOMMU_MAP_DMA", Target.VM, false),
  VFIO_IOMMU_UNMAP_DMA("VFIO_IOMMU_UNMAP_DMA", Target.VM, false),
  VFIO_GROUP_UNSET_CONTAINER("VFIO_GROUP_UNSET_CONTAINER", Target.VGPU, false),
  INTEL_VGPU_OPEN("intel_vgpu_open", Target.VGPU, false),
  INTEL_VGPU_RELEASE("intel_vgpu_release", Target.VGPU, false),
  VFIO_PIN_PAGES("vfio_pin_pages", Target.VGPU, false),
  VFIO_UNPIN_PAGES("vfio_unpin_pages", Target.VGPU, false),
  VFIO_GROUP_PIN_PAGES("vfio_group_pin_pages", Target.VGPU, true),
  VFIO_GROUP_UNPIN_PAGES("vfio_group_unpin_pages", Target.VGPU, true),
  VFIO_GROUP_GET_EXTERNAL_USER_FROM_DEV("vfio_group_get_external_user_from_dev", Target.VGPU, true),
  VFIO_GROUP_PUT_EXTERNAL_USER("vfio_group_put_external_user", Target.VGPU, true),
  VFIO_DMA_RW("vfio_dma_rw", Target.VGPU, true),
  KVMGT_DMA_MAP_GUEST_PAGE("kvmgt_dma_map_guest_page", Target.VGPU, false),
  KVMGT_DMA_UNMAP_GUEST_PAGE("kvmgt_dma_unmap_guest_page", Target.VGPU, false),
  KVMGT_RW_GPA("kvmgt_rw_gpa", Target.VGPU, false),
  QEMU_EXIT("qemu_exit", Target.VM, false),
  RESET_COUNTERS("reset_counters", Target.NONE, false);

  /** What the word after the statement name must be. */
  public enum Target {
    /** A declared VM. */
    VM,
    /** A declared vGPU. */
    VGPU,
    /** Nothing: the statement takes no name. */
    NONE
  }

  private static final Map<String, EntryPoint> BY_KEYWORD = new HashMap<>();

  static {
    for (EntryPoint e : values()) {
      BY_KEYWORD.put(e.keyword, e);
    }
  }

  private final String keyword;
  private final Target target;
  private final boolean sinceV57;

  EntryPoint(String keyword, Target target, boolean sinceV57) {
    this.keyword = keyword;
    this.target = target;
    this.sinceV57 = sinceV57;
  }

  /** The statement name as written in scripts. */
  public String keyword() {
    return keyword;
  }

  public Target target() {
    return target;
  }

  /** Whether the entry point exists in generation {@code g} (the group API appeared in v5.7). */
  public boolean existsIn(Generation g) {
    return !sinceV57 || g.hasGroupApi();
  }

  public static Optional<EntryPoint> byKeyword(String keyword) {
    return Optional.ofNullable(BY_KEYWORD.get(keyword));
  }

  @Override
  public String toString() {
    return keyword;
  }
}
