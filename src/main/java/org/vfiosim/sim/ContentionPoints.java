package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Call sites with counts, as lockdep keeps {@code contention_point[]} / {@code contending_point[]}.
 * Every distinct site is kept with its first occurrence (virtual time, key); {@link #top} then
 * applies the kernel rule ({@code lock_point()}): the first {@code LOCKSTAT_POINTS} distinct sites
 * in time order, each with all of its occurrences.
 */
final class ContentionPoints {
  static final int LOCKSTAT_POINTS = 4;

  private CallSite[] sites = new CallSite[2];
  private long[] counts = new long[2];
  private long[] firstTime = new long[2];
  private long[] firstKey = new long[2];
  private int n;

  void add(CallSite site, long time, long key) {
    for (int i = 0; i < n; i++) {
      if (sites[i] == site) {
        counts[i]++;
        return;
      }
    }
    if (n == sites.length) {
      int m = n * 2;
      sites = Arrays.copyOf(sites, m);
      counts = Arrays.copyOf(counts, m);
      firstTime = Arrays.copyOf(firstTime, m);
      firstKey = Arrays.copyOf(firstKey, m);
    }
    sites[n] = site;
    counts[n] = 1;
    firstTime[n] = time;
    firstKey[n] = key;
    n++;
  }

  void merge(ContentionPoints o) {
    for (int j = 0; j < o.n; j++) {
      int i = indexOf(o.sites[j]);
      if (i < 0) {
        add(o.sites[j], o.firstTime[j], o.firstKey[j]);
        counts[n - 1] = o.counts[j];
      } else {
        counts[i] += o.counts[j];
        if (Keys.before(o.firstTime[j], o.firstKey[j], firstTime[i], firstKey[i])) {
          firstTime[i] = o.firstTime[j];
          firstKey[i] = o.firstKey[j];
        }
      }
    }
  }

  private int indexOf(CallSite s) {
    for (int i = 0; i < n; i++) {
      if (sites[i] == s) {
        return i;
      }
    }
    return -1;
  }

  void reset() {
    Arrays.fill(sites, null);
    n = 0;
  }

  /** The first {@code limit} distinct sites by first occurrence, with their counts. */
  List<LockPoint> top(int limit) {
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, Comparator.<Integer>comparingLong(i -> firstTime[i]).thenComparingLong(i -> firstKey[i]));
    List<LockPoint> out = new ArrayList<>();
    for (int k = 0; k < Math.min(limit, n); k++) {
      int i = idx[k];
      out.add(new LockPoint(sites[i].symbol, counts[i]));
    }
    return out;
  }
}
