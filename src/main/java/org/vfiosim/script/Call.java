package org.vfiosim.script;

import java.util.Optional;

/**
 * A kernel entry point statement: one record per entry point, with typed arguments and the
 * contract's defaults filled in. Every call prints its return value and may carry an {@code expect=}.
 * Names ({@code vm}, {@code vgpu}) are those of declarations that come earlier in the script.
 */
public sealed interface Call extends Step {
  /** MAP_DMA flag / pin prot bit: {@code VFIO_DMA_MAP_FLAG_READ} = {@code IOMMU_READ} = 1. */
  int READ = 1;
  /** MAP_DMA flag / pin prot bit: {@code VFIO_DMA_MAP_FLAG_WRITE} = {@code IOMMU_WRITE} = 2. */
  int WRITE = 2;
  /** The default {@code prot=} of pin calls: {@code READ,WRITE}. */
  int DEFAULT_PROT = READ | WRITE;
  /** A MAP_DMA without {@code vaddr=} maps {@code vaddr = QEMU_RAM_BASE + iova}. */
  long QEMU_RAM_BASE = 0x7f0000000000L;

  /** Which entry point this is (its statement name). */
  EntryPoint entryPoint();

  /** The {@code expect=} value, if any. */
  Optional<Expect> expect();

  /** {@code read} / {@code write} of the rw calls. */
  enum Direction {
    READ,
    WRITE;

    public boolean isWrite() {
      return this == WRITE;
    }
  }

  /** Who calls {@code vfio_dma_rw}: a kernel thread (default) or a user thread of a VM's process. */
  sealed interface RwCaller {}

  /** {@code ctx=kthread}, the default. */
  record Kthread() implements RwCaller {}

  /** {@code ctx=VM}: a user thread of VM's QEMU process. */
  record VmThread(String vm) implements RwCaller {}

  /**
   * {@code VFIO_IOMMU_MAP_DMA VM iova=A size=S [vaddr=V] flags=F}.
   *
   * @param vaddr as given, else {@link #QEMU_RAM_BASE} + iova
   * @param flags MAP_DMA flag bits ({@link #READ}, {@link #WRITE}; a number may set any bit)
   */
  record MapDma(
      int line, String text, String vm, long iova, long size, long vaddr, int flags,
      Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_IOMMU_MAP_DMA;
    }
  }

  /** {@code VFIO_IOMMU_UNMAP_DMA VM iova=A size=S}. */
  record UnmapDma(int line, String text, String vm, long iova, long size, Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_IOMMU_UNMAP_DMA;
    }
  }

  /** {@code VFIO_GROUP_UNSET_CONTAINER VGPU}. */
  record UnsetContainer(int line, String text, String vgpu, Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_GROUP_UNSET_CONTAINER;
    }
  }

  /** {@code intel_vgpu_open VGPU}: {@code vfio_group_get_device_fd} → {@code intel_vgpu_open}. */
  record VgpuOpen(int line, String text, String vgpu, Optional<Expect> expect) implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.INTEL_VGPU_OPEN;
    }
  }

  /** {@code intel_vgpu_release VGPU}: device fd close. */
  record VgpuRelease(int line, String text, String vgpu, Optional<Expect> expect) implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.INTEL_VGPU_RELEASE;
    }
  }

  /** {@code vfio_pin_pages VGPU pfns=L [prot=P]}: the device-based API. */
  record PinPages(
      int line, String text, String vgpu, PfnList pfns, int prot, Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_PIN_PAGES;
    }
  }

  /** {@code vfio_unpin_pages VGPU pfns=L}: the device-based API. */
  record UnpinPages(int line, String text, String vgpu, PfnList pfns, Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_UNPIN_PAGES;
    }
  }

  /** {@code vfio_group_pin_pages VGPU pfns=L [prot=P]}: the group API (v5.7+). */
  record GroupPinPages(
      int line, String text, String vgpu, PfnList pfns, int prot, Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_GROUP_PIN_PAGES;
    }
  }

  /** {@code vfio_group_unpin_pages VGPU pfns=L}: the group API (v5.7+). */
  record GroupUnpinPages(int line, String text, String vgpu, PfnList pfns, Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_GROUP_UNPIN_PAGES;
    }
  }

  /** {@code vfio_group_get_external_user_from_dev VGPU} (v5.7+). */
  record GetExternalUser(int line, String text, String vgpu, Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_GROUP_GET_EXTERNAL_USER_FROM_DEV;
    }
  }

  /** {@code vfio_group_put_external_user VGPU} (v5.7+). */
  record PutExternalUser(int line, String text, String vgpu, Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_GROUP_PUT_EXTERNAL_USER;
    }
  }

  /** {@code vfio_dma_rw VGPU iova=A len=N read|write [ctx=kthread|VM]} (v5.7+). */
  record DmaRw(
      int line,
      String text,
      String vgpu,
      long iova,
      long len,
      Direction direction,
      RwCaller caller,
      Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.VFIO_DMA_RW;
    }
  }

  /**
   * {@code kvmgt_dma_map_guest_page VGPU gfn=G size=4K|64K|2M}.
   *
   * @param size in bytes: 4096, 65536 or 2097152
   */
  record KvmgtDmaMap(int line, String text, String vgpu, long gfn, long size, Optional<Expect> expect)
      implements Call {
    public static final long SIZE_4K = 4096;
    public static final long SIZE_64K = 64 * 1024;
    public static final long SIZE_2M = 2 * 1024 * 1024;

    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.KVMGT_DMA_MAP_GUEST_PAGE;
    }
  }

  /** {@code kvmgt_dma_unmap_guest_page VGPU gfn=G}. */
  record KvmgtDmaUnmap(int line, String text, String vgpu, long gfn, Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.KVMGT_DMA_UNMAP_GUEST_PAGE;
    }
  }

  /** {@code kvmgt_rw_gpa VGPU gpa=A len=N read|write}, from the GVT workload kernel thread. */
  record KvmgtRwGpa(
      int line, String text, String vgpu, long gpa, long len, Direction direction,
      Optional<Expect> expect)
      implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.KVMGT_RW_GPA;
    }
  }

  /** {@code qemu_exit VM}: the QEMU process exits (mm gone, fds not closed yet). */
  record QemuExit(int line, String text, String vm, Optional<Expect> expect) implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.QEMU_EXIT;
    }
  }

  /**
   * {@code reset_counters}: zero the counters assertions read; state untouched. Like every entry
   * point it accepts {@code expect=} (it returns 0).
   */
  record ResetCounters(int line, String text, Optional<Expect> expect) implements Call {
    @Override
    public EntryPoint entryPoint() {
      return EntryPoint.RESET_COUNTERS;
    }
  }
}
