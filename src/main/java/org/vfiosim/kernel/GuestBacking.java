package org.vfiosim.kernel;

import static org.vfiosim.kernel.KernelConstants.GUEST_RAM_VADDR_BASE;
import static org.vfiosim.kernel.KernelConstants.PAGE_SHIFT;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import java.util.Map;
import java.util.TreeMap;

/**
 * The VMAs of a QEMU process that matter to VFIO: guest RAM of {@code mem} bytes at vaddr {@code
 * 0x7f0000000000 + gpa}, plus VM_PFNMAP (MMIO) ranges. {@link #pfnOf} computes the host pfn of a
 * vaddr; nothing is stored per page, so a 4 GiB and a 1 TiB guest cost the same few fields.
 *
 * <p>Host physical layout (simulator choice): VM {@code i} owns the pfn window {@code [(i+1)·W,
 * (i+2)·W)} with {@code W = 2^30} pages. RAM pfns sit in the lower half of the window, MMIO pfns in
 * the upper half, so different VMs never share a pfn and {@link #isReservedPfn} needs only the pfn.
 *
 * <ul>
 *   <li>{@link Layout#CONTIGUOUS}: guest page {@code g} is host pfn {@code base + g}, so consecutive
 *       guest pages are physically contiguous (a 2M shadow entry passes {@code gvt_pin_guest_page}'s
 *       contiguity check).
 *   <li>{@link Layout#SCATTERED}: guest page {@code g} is {@code base + 2·((a·g + b) mod n)} with
 *       {@code gcd(a, n) = 1}: a bijection whose neighbouring values always differ by a non-zero even
 *       number, so no two neighbouring guest pages are physically contiguous in either direction.
 * </ul>
 */
public final class GuestBacking {
  /** How guest RAM maps to host pfns. */
  public enum Layout {
    CONTIGUOUS,
    SCATTERED
  }

  /** Pfns per VM window. */
  public static final long VM_PFN_WINDOW = 1L << 30;
  /** Offset in a window where reserved (MMIO) pfns start. */
  static final long RESERVED_OFFSET = 1L << 29;
  /** Largest guest RAM: 2^28 pages, whose scattered image spans the 2^29 RAM pfns of a window. */
  public static final long MAX_MEM = 1L << (28 + PAGE_SHIFT);

  private final int vmIndex;
  private final long mem;
  private final Layout layout;
  private final long ramPages;
  private final long hostBase;
  private final long scatterA;
  private final long scatterB;
  /** VM_PFNMAP vmas: start vaddr → {size, first pfn}. */
  private final TreeMap<Long, long[]> mmio = new TreeMap<>();
  private long mmioPagesUsed;

  /**
   * @param vmIndex distinct per VM on the host (selects the pfn window)
   * @param mem guest RAM bytes, a positive multiple of PAGE_SIZE, at most {@link #MAX_MEM}
   */
  public GuestBacking(int vmIndex, long mem, Layout layout) {
    if (vmIndex < 0) {
      throw new IllegalArgumentException("negative vm index " + vmIndex);
    }
    if (mem <= 0 || mem % PAGE_SIZE != 0 || mem > MAX_MEM) {
      throw new IllegalArgumentException("guest mem must be a positive multiple of 4K up to 1T: " + mem);
    }
    this.vmIndex = vmIndex;
    this.mem = mem;
    this.layout = layout;
    this.ramPages = mem >>> PAGE_SHIFT;
    this.hostBase = (vmIndex + 1L) * VM_PFN_WINDOW;
    this.scatterA = coprimeNear(ramPages, (long) (ramPages * 0.6180339887498949));
    this.scatterB = Math.floorMod(vmIndex * 0x9E3779B97F4A7C15L, ramPages);
  }

  public static GuestBacking contiguous(int vmIndex, long mem) {
    return new GuestBacking(vmIndex, mem, Layout.CONTIGUOUS);
  }

  public static GuestBacking scattered(int vmIndex, long mem) {
    return new GuestBacking(vmIndex, mem, Layout.SCATTERED);
  }

  public int vmIndex() {
    return vmIndex;
  }

  /** Guest RAM size in bytes. */
  public long mem() {
    return mem;
  }

  public Layout layout() {
    return layout;
  }

  /** First vaddr of guest RAM ({@code 0x7f0000000000}). */
  public long ramVaddr() {
    return GUEST_RAM_VADDR_BASE;
  }

  /** The QEMU vaddr of guest physical address {@code gpa}. */
  public static long vaddrOfGpa(long gpa) {
    return GUEST_RAM_VADDR_BASE + gpa;
  }

  /**
   * Adds a VM_PFNMAP vma {@code [vaddr, vaddr+size)} whose pfns are reserved. Overlapping another
   * vma or misalignment is a setup error ({@link IllegalArgumentException}).
   */
  public void addMmio(long vaddr, long size) {
    if (size <= 0 || size % PAGE_SIZE != 0 || vaddr % PAGE_SIZE != 0 || vaddr < 0
        || vaddr + size < vaddr) {
      throw new IllegalArgumentException(
          "mmio range must be page aligned and non-empty: vaddr=0x" + Long.toHexString(vaddr)
              + " size=0x" + Long.toHexString(size));
    }
    long end = vaddr + size;
    if (vaddr < GUEST_RAM_VADDR_BASE + mem && GUEST_RAM_VADDR_BASE < end) {
      throw new IllegalArgumentException("mmio range overlaps guest RAM at 0x" + Long.toHexString(vaddr));
    }
    Map.Entry<Long, long[]> below = mmio.floorEntry(end - 1);
    if (below != null && below.getKey() + below.getValue()[0] > vaddr) {
      throw new IllegalArgumentException("mmio range overlaps mmio at 0x" + Long.toHexString(below.getKey()));
    }
    long pages = size >>> PAGE_SHIFT;
    if (mmioPagesUsed + pages > VM_PFN_WINDOW - RESERVED_OFFSET) {
      throw new IllegalArgumentException("too much mmio for one VM");
    }
    mmio.put(vaddr, new long[] {size, hostBase + RESERVED_OFFSET + mmioPagesUsed});
    mmioPagesUsed += pages;
  }

  /** True when {@code vaddr} lies in guest RAM (pinnable pages). */
  public boolean isRam(long vaddr) {
    return vaddr >= GUEST_RAM_VADDR_BASE && vaddr - GUEST_RAM_VADDR_BASE < mem;
  }

  /** True when {@code vaddr} lies in a VM_PFNMAP vma. */
  public boolean isPfnMap(long vaddr) {
    return mmioPfn(vaddr) >= 0;
  }

  /**
   * The host pfn behind {@code vaddr}: a RAM pfn, a reserved pfn for VM_PFNMAP, or {@code -EFAULT}
   * when no vma covers it (GUP's {@code -EFAULT} for a bad address, {@code vaddr_get_pfn()}).
   */
  public long pfnOf(long vaddr) {
    if (isRam(vaddr)) {
      return ramPfn((vaddr - GUEST_RAM_VADDR_BASE) >>> PAGE_SHIFT);
    }
    long p = mmioPfn(vaddr);
    return p >= 0 ? p : -Errno.EFAULT;
  }

  /** Host pfn of guest page frame {@code gfn} (0 ≤ gfn < mem/4K). */
  public long ramPfn(long gfn) {
    if (gfn < 0 || gfn >= ramPages) {
      throw new IndexOutOfBoundsException("gfn 0x" + Long.toHexString(gfn));
    }
    if (layout == Layout.CONTIGUOUS) {
      return hostBase + gfn;
    }
    return hostBase + 2 * ((scatterA * gfn + scatterB) % ramPages);
  }

  /**
   * Reserved (PageReserved / MMIO) pfns: not pinned by {@code vaddr_get_pfn()}, skipped by {@code
   * put_pfn()} and by locked_vm accounting ({@code is_invalid_reserved_pfn()}).
   */
  public static boolean isReservedPfn(long pfn) {
    return (pfn & (VM_PFN_WINDOW - 1)) >= RESERVED_OFFSET;
  }

  private long mmioPfn(long vaddr) {
    Map.Entry<Long, long[]> e = mmio.floorEntry(vaddr);
    if (e == null || vaddr - e.getKey() >= e.getValue()[0]) {
      return -1;
    }
    return e.getValue()[1] + ((vaddr - e.getKey()) >>> PAGE_SHIFT);
  }

  /** An odd-ish multiplier coprime with n, searched upward from {@code start}. */
  private static long coprimeNear(long n, long start) {
    if (n <= 2) {
      return 1;
    }
    long a = Math.max(2, start % n);
    while (gcd(a, n) != 1) {
      a = a + 1 >= n ? 2 : a + 1;
    }
    return a;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
