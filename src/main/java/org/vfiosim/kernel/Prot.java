package org.vfiosim.kernel;

import java.util.Locale;
import java.util.OptionalInt;

/** IOMMU protection bits ({@code include/linux/iommu.h}) as kept in {@code vfio_dma.prot}. */
public final class Prot {
  private Prot() {}

  /** {@code IOMMU_READ}: the device may read. */
  public static final int IOMMU_READ = 1;
  /** {@code IOMMU_WRITE}: the device may write. */
  public static final int IOMMU_WRITE = 2;
  /** Both bits, the default {@code prot} of kvmgt pins and script statements. */
  public static final int RW = IOMMU_READ | IOMMU_WRITE;

  /** {@code VFIO_DMA_MAP_FLAG_READ} (uapi vfio.h): bit 0 of MAP_DMA flags. */
  public static final int MAP_FLAG_READ = 1;
  /** {@code VFIO_DMA_MAP_FLAG_WRITE} (uapi vfio.h): bit 1 of MAP_DMA flags. */
  public static final int MAP_FLAG_WRITE = 2;

  /** True when every bit of {@code bits} is set in {@code prot} ({@code (prot & bits) == bits}). */
  public static boolean has(int prot, int bits) {
    return (prot & bits) == bits;
  }

  /**
   * The {@code prot} that {@code vfio_dma_do_map()} builds from MAP_DMA flags: READ → IOMMU_READ,
   * WRITE → IOMMU_WRITE; other bits are ignored here (the ioctl rejects them before).
   */
  public static int fromMapFlags(int flags) {
    int prot = 0;
    if ((flags & MAP_FLAG_READ) != 0) {
      prot |= IOMMU_READ;
    }
    if ((flags & MAP_FLAG_WRITE) != 0) {
      prot |= IOMMU_WRITE;
    }
    return prot;
  }

  /** {@code "READ,WRITE"}, {@code "READ"}, {@code "WRITE"}, or {@code "NONE"} for 0. */
  public static String toString(int prot) {
    boolean r = (prot & IOMMU_READ) != 0;
    boolean w = (prot & IOMMU_WRITE) != 0;
    if (r && w) {
      return "READ,WRITE";
    }
    if (r) {
      return "READ";
    }
    if (w) {
      return "WRITE";
    }
    return "NONE";
  }

  /** Parses {@code READ}, {@code WRITE}, {@code READ,WRITE} (any order, case-insensitive). */
  public static OptionalInt parse(String s) {
    if (s == null || s.isEmpty()) {
      return OptionalInt.empty();
    }
    int prot = 0;
    for (String part : s.split(",", -1)) {
      switch (part.trim().toUpperCase(Locale.ROOT)) {
        case "READ" -> prot |= IOMMU_READ;
        case "WRITE" -> prot |= IOMMU_WRITE;
        default -> {
          return OptionalInt.empty();
        }
      }
    }
    return OptionalInt.of(prot);
  }
}
