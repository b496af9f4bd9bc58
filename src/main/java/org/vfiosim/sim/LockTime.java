package org.vfiosim.sim;

/**
 * One lockstat time series: count, min, max, total (kernel {@code struct lock_time}).
 * Rule from {@code lock_time_inc()}: the first sample sets min, later ones lower it.
 */
public final class LockTime {
  long nr;
  long min;
  long max;
  long total;

  public void add(long v) {
    if (v > max) {
      max = v;
    }
    if (v < min || nr == 0) {
      min = v;
    }
    total += v;
    nr++;
  }

  public void merge(LockTime o) {
    if (o.nr == 0) {
      return;
    }
    if (nr == 0 || o.min < min) {
      min = o.min;
    }
    if (o.max > max) {
      max = o.max;
    }
    total += o.total;
    nr += o.nr;
  }

  public void reset() {
    nr = min = max = total = 0;
  }

  public long nr() {
    return nr;
  }

  public long min() {
    return min;
  }

  public long max() {
    return max;
  }

  public long total() {
    return total;
  }

  /** Integer average as lock_stat prints it ({@code div64_u64(total, nr)}). */
  public long avg() {
    return nr == 0 ? 0 : total / nr;
  }
}
