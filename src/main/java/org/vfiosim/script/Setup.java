package org.vfiosim.script;

/**
 * The setup statements ({@code param}, {@code vm}, {@code mmio}, {@code vgpu}), in script order.
 * Defaults of the contract are already filled in. {@code generation} is not a statement: see {@link
 * Script#generation()}.
 */
public sealed interface Setup extends Stmt {

  /** The module parameters {@code param} can set. */
  enum ParamName {
    /** type1's {@code dma_entry_limit}: mappings per container, copied at container open. */
    DMA_ENTRY_LIMIT("dma_entry_limit", 65535);

    private final String scriptName;
    private final long defaultValue;

    ParamName(String scriptName, long defaultValue) {
      this.scriptName = scriptName;
      this.defaultValue = defaultValue;
    }

    public String scriptName() {
      return scriptName;
    }

    public long defaultValue() {
      return defaultValue;
    }
  }

  /** {@code vm ... iommu=}: the container's IOMMU type. */
  enum IommuType {
    /** {@code VFIO_TYPE1v2_IOMMU} (3), the default. */
    TYPE1V2("type1v2"),
    /** {@code VFIO_TYPE1_IOMMU} (1): pin/unpin/dirty return -EACCES. */
    TYPE1("type1");

    private final String scriptName;

    IommuType(String scriptName) {
      this.scriptName = scriptName;
    }

    public String scriptName() {
      return scriptName;
    }
  }

  /** {@code vm ... backing=}: how host pfns of consecutive guest pages lie. */
  enum Backing {
    /** Consecutive guest pages have consecutive host pfns (the default). */
    CONTIGUOUS("contiguous"),
    /** No two neighbouring guest pages are host-contiguous. */
    SCATTERED("scattered");

    private final String scriptName;

    Backing(String scriptName) {
      this.scriptName = scriptName;
    }

    public String scriptName() {
      return scriptName;
    }
  }

  /** {@code vgpu ... notifier=}: kvmgt's DMA_UNMAP notifier behaviour. */
  enum Notifier {
    /** Unpins the range (the real kvmgt), the default. */
    OK("ok"),
    /** Returns without unpinning (a buggy vendor driver: the unmap retry loop BUGs). */
    IGNORE("ignore");

    private final String scriptName;

    Notifier(String scriptName) {
      this.scriptName = scriptName;
    }

    public String scriptName() {
      return scriptName;
    }
  }

  /** {@code param NAME=VALUE}: writes a module parameter at this point of the script. */
  record Param(int line, String text, ParamName name, long value) implements Setup {}

  /**
   * {@code vm NAME [mem=SIZE] [memlock=PAGES|unlimited] [cap_ipc_lock] [iommu=type1v2|type1]
   * [iommu_backed] [backing=contiguous|scattered]}: a QEMU process (mm), a KVM VM with guest RAM
   * GPA [0, mem) and a type1 container.
   *
   * @param mem guest RAM size in bytes (default 4G)
   * @param memlockPages RLIMIT_MEMLOCK in pages, or {@link #MEMLOCK_UNLIMITED} (the default)
   * @param capIpcLock whether the process has CAP_IPC_LOCK (default false)
   * @param iommuBacked whether the container also holds an IOMMU-backed group (default false)
   * @param dmaEntryLimit the {@code dma_entry_limit} in effect at this line (the container copies it
   *     into {@code dma_avail} when it is opened); 65535 unless an earlier {@code param} set it
   */
  record Vm(
      int line,
      String text,
      String name,
      long mem,
      long memlockPages,
      boolean capIpcLock,
      IommuType iommu,
      boolean iommuBacked,
      Backing backing,
      long dmaEntryLimit)
      implements Setup {
    /** Default guest RAM: 4G. */
    public static final long DEFAULT_MEM = 4L << 30;

    /**
     * {@code memlock=unlimited}: RLIM_INFINITY, which is {@code ~0UL}, so {@code
     * memlock=0xffffffffffffffff} means the same.
     */
    public static final long MEMLOCK_UNLIMITED = -1L;

    public boolean memlockUnlimited() {
      return memlockPages == MEMLOCK_UNLIMITED;
    }
  }

  /** {@code mmio VM vaddr=A size=S}: a VM_PFNMAP range (reserved pfns) in VM's address space. */
  record Mmio(int line, String text, String vm, long vaddr, long size) implements Setup {}

  /**
   * {@code vgpu NAME vm=VM [devices=N] [notifier=ok|ignore]}: an mdev vGPU with its own group,
   * attached to VM's container and KVM.
   *
   * @param devices the group's device count, at least 1 (default 1)
   */
  record Vgpu(int line, String text, String name, String vm, int devices, Notifier notifier)
      implements Setup {
    public static final int DEFAULT_DEVICES = 1;
  }
}
