package org.vfiosim.sim;

import java.util.Arrays;

/**
 * The event calendar of one shard: a 4-ary min-heap of thread wake-ups ordered by
 * (time, key), where key = (source id, sequence) packed by {@link Keys}. Keys are unique, so the
 * order is total and does not depend on insertion order. Parallel primitive arrays: no allocation
 * per event, and the hot comparisons stay in two cache-friendly long arrays.
 */
final class EventHeap {
  private long[] times = new long[64];
  private long[] keys = new long[64];
  private SimThread[] items = new SimThread[64];
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  long peekTime() {
    return times[0];
  }

  long peekKey() {
    return keys[0];
  }

  void push(long time, long key, SimThread t) {
    if (size == times.length) {
      int n = size * 2;
      times = Arrays.copyOf(times, n);
      keys = Arrays.copyOf(keys, n);
      items = Arrays.copyOf(items, n);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 2;
      long pt = times[parent];
      if (pt < time || (pt == time && keys[parent] < key)) {
        break;
      }
      times[i] = pt;
      keys[i] = keys[parent];
      items[i] = items[parent];
      i = parent;
    }
    times[i] = time;
    keys[i] = key;
    items[i] = t;
  }

  SimThread pop() {
    SimThread top = items[0];
    int n = --size;
    long time = times[n];
    long key = keys[n];
    SimThread last = items[n];
    items[n] = null;
    if (n > 0) {
      int i = 0;
      while (true) {
        int c = (i << 2) + 1;
        if (c >= n) {
          break;
        }
        int end = Math.min(c + 4, n);
        int best = c;
        long bt = times[c];
        long bk = keys[c];
        for (int j = c + 1; j < end; j++) {
          long tj = times[j];
          if (tj < bt || (tj == bt && keys[j] < bk)) {
            best = j;
            bt = tj;
            bk = keys[j];
          }
        }
        if (time < bt || (time == bt && key < bk)) {
          break;
        }
        times[i] = bt;
        keys[i] = bk;
        items[i] = items[best];
        i = best;
      }
      times[i] = time;
      keys[i] = key;
      items[i] = last;
    }
    return top;
  }

  /** Threads in the heap, in no particular order (for diagnostics). */
  SimThread item(int i) {
    return items[i];
  }
}
