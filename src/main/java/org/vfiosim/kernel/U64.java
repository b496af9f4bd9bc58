package org.vfiosim.kernel;

import it.unimi.dsi.fastutil.longs.LongComparator;

/** The kernel's addresses, pfns and gfns are u64: sorted structures keyed by them compare unsigned. */
final class U64 {
  private U64() {}

  /** Unsigned order of longs, for fastutil's primitive-keyed sorted maps. */
  static final LongComparator ORDER = Long::compareUnsigned;
}
