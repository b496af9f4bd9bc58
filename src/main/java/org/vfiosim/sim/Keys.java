package org.vfiosim.sim;

/**
 * Tie-break keys: events at the same virtual time run in (source id, sequence) order. The source
 * is the simulated thread that caused the event, the sequence its own counter, so keys are
 * unique and the same whatever the shard layout or the number of host threads.
 */
final class Keys {
  static final int SEQ_BITS = 40;
  static final long SEQ_MASK = (1L << SEQ_BITS) - 1;
  static final int MAX_SOURCE = (1 << (63 - SEQ_BITS)) - 1;

  private Keys() {}

  static long of(int source, long seq) {
    return ((long) source << SEQ_BITS) | (seq & SEQ_MASK);
  }

  /** (t1, k1) strictly before (t2, k2). */
  static boolean before(long t1, long k1, long t2, long k2) {
    return t1 < t2 || (t1 == t2 && k1 < k2);
  }
}
