package org.vfiosim.kernel;

/** x86_64 kernel constants used by the model (reference §4). */
public final class KernelConstants {
  private KernelConstants() {}

  /** {@code PAGE_SHIFT} on x86_64. */
  public static final int PAGE_SHIFT = 12;
  /** {@code PAGE_SIZE} on x86_64: the pin / rw granularity. */
  public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
  /** Size of a 2M shadow GTT entry (one kvmgt cache entry, 512 pins). */
  public static final long SZ_2M = 2L << 20;
  /** {@code VFIO_PIN_PAGES_MAX_ENTRIES} = PAGE_SIZE / sizeof(unsigned long) ({@code vfio.h:113}). */
  public static final int VFIO_PIN_PAGES_MAX_ENTRIES = 512;
  /** Default of the type1 module parameter {@code dma_entry_limit} ({@code U16_MAX}, type1.c:59). */
  public static final int DMA_ENTRY_LIMIT_DEFAULT = 65535;
  /**
   * {@code BUG_ON(++retries > 10)} in {@code vfio_dma_do_unmap()}: 11 notifier calls for one dma,
   * BUG on the 12th pass.
   */
  public static final int UNMAP_NOTIFY_RETRIES_MAX = 10;
  /** {@code GUP_PIN_COUNTING_BIAS}: page refcount added per FOLL_PIN ({@code mm.h:1228}). */
  public static final int GUP_PIN_COUNTING_BIAS = 1024;
  /** QEMU maps guest RAM at this vaddr + GPA (script-format.md: {@code 0x7f0000000000 + iova}). */
  public static final long GUEST_RAM_VADDR_BASE = 0x7f0000000000L;
}
