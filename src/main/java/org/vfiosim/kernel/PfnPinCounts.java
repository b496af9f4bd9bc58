package org.vfiosim.kernel;

import java.util.Arrays;

/**
 * Sparse FOLL_PIN counts per host pfn: an open-addressing {@code long → int} map (linear probing,
 * backward-shift deletion) so that a pinned page costs about 16 bytes and an unpinned one nothing.
 */
final class PfnPinCounts {
  private static final int INITIAL_CAPACITY = 16;

  /** pfn + 1 per slot; 0 marks an empty slot (pfns are never negative). */
  private long[] keys = new long[INITIAL_CAPACITY];
  private int[] counts = new int[INITIAL_CAPACITY];
  private int size;
  private long total;

  /** Adds one pin to {@code pfn}; returns the new count. */
  int increment(long pfn) {
    if (pfn < 0) {
      throw new IllegalArgumentException("negative pfn " + pfn);
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    long key = pfn + 1;
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (keys[i] != 0) {
      if (keys[i] == key) {
        total++;
        return ++counts[i];
      }
      i = (i + 1) & mask;
    }
    keys[i] = key;
    counts[i] = 1;
    size++;
    total++;
    return 1;
  }

  /** Drops one pin from {@code pfn}; returns the new count. Unpinning an unpinned pfn is a model bug. */
  int decrement(long pfn) {
    int i = find(pfn + 1);
    if (i < 0) {
      throw new IllegalStateException("unpin of pfn 0x" + Long.toHexString(pfn) + " with no pin");
    }
    total--;
    int c = --counts[i];
    if (c == 0) {
      delete(i);
    }
    return c;
  }

  /** Pins held on {@code pfn} (0 when none). */
  int get(long pfn) {
    if (pfn < 0) {
      return 0;
    }
    int i = find(pfn + 1);
    return i < 0 ? 0 : counts[i];
  }

  /** Distinct pfns with at least one pin. */
  int size() {
    return size;
  }

  /** Sum of all pin counts. */
  long total() {
    return total;
  }

  /** The pinned pfns in ascending order. */
  long[] sortedPfns() {
    long[] out = new long[size];
    int n = 0;
    for (long k : keys) {
      if (k != 0) {
        out[n++] = k - 1;
      }
    }
    Arrays.sort(out);
    return out;
  }

  private int find(long key) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (keys[i] != 0) {
      if (keys[i] == key) {
        return i;
      }
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** Backward-shift deletion keeps every probe chain unbroken without tombstones. */
  private void delete(int hole) {
    int mask = keys.length - 1;
    int i = hole;
    while (true) {
      i = (i + 1) & mask;
      long k = keys[i];
      if (k == 0) {
        break;
      }
      int home = slot(k, mask);
      // move k into the hole when its home is not cyclically within (hole, i]
      boolean inRange = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
      if (!inRange) {
        keys[hole] = k;
        counts[hole] = counts[i];
        hole = i;
      }
    }
    keys[hole] = 0;
    counts[hole] = 0;
    size--;
  }

  private void grow() {
    long[] ok = keys;
    int[] oc = counts;
    keys = new long[ok.length * 2];
    counts = new int[ok.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < ok.length; j++) {
      if (ok[j] != 0) {
        int i = slot(ok[j], mask);
        while (keys[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = ok[j];
        counts[i] = oc[j];
      }
    }
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    h ^= h >>> 32;
    return (int) h & mask;
  }
}
