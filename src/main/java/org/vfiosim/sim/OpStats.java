package org.vfiosim.sim;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Latency of one kernel entry point (virtual cycles from call to return, waits included): count,
 * errors, exact mean, HdrHistogram percentiles, and a split by pages touched.
 */
public final class OpStats {
  private static final int DIRECT_PAGES = 1025;

  public final String name;
  private final Histogram hist = new Histogram(3);
  private long count;
  private long errors;
  private long total;
  private long min = Long.MAX_VALUE;
  private long max = Long.MIN_VALUE;
  private long[] pageCount;
  private long[] pageTotal;
  private TreeMap<Long, long[]> morePages;
  /**
   * Failed calls by errno: index n counts -n for n in [1, MAX_ERRNO]; index 0 counts BUG
   * (Long.MIN_VALUE), index MAX_ERRNO + 1 any other negative value. Allocated at the first error.
   */
  private long[] errnoCounts;
  private static final int MAX_ERRNO = 4095;

  public OpStats(String name) {
    this.name = name;
    hist.setAutoResize(true);
  }

  /** Records one call that took {@code cycles}, touched {@code pages} pages, and failed or not. */
  public void record(long cycles, long pages, boolean error) {
    count++;
    total += cycles;
    if (cycles < min) {
      min = cycles;
    }
    if (cycles > max) {
      max = cycles;
    }
    if (error) {
      errors++;
    }
    hist.recordValue(Math.max(0, cycles));
    if (pages >= 0 && pages < DIRECT_PAGES) {
      if (pageCount == null) {
        pageCount = new long[DIRECT_PAGES];
        pageTotal = new long[DIRECT_PAGES];
      }
      pageCount[(int) pages]++;
      pageTotal[(int) pages] += cycles;
    } else if (pages >= DIRECT_PAGES) {
      if (morePages == null) {
        morePages = new TreeMap<>();
      }
      long[] e = morePages.computeIfAbsent(pages, k -> new long[2]);
      e[0]++;
      e[1] += cycles;
    }
  }

  /**
   * Records one call that returned {@code ret}: an error when negative (a kernel errno, or {@code
   * Long.MIN_VALUE} for a call that hit BUG), counted by errno.
   */
  public void recordCall(long cycles, long pages, long ret) {
    record(cycles, pages, ret < 0);
    if (ret < 0) {
      if (errnoCounts == null) {
        errnoCounts = new long[MAX_ERRNO + 2];
      }
      errnoCounts[errnoIndex(ret)]++;
    }
  }

  private static int errnoIndex(long ret) {
    if (ret == Long.MIN_VALUE) {
      return 0;
    }
    return ret >= -MAX_ERRNO ? (int) -ret : MAX_ERRNO + 1;
  }

  /**
   * Failed calls by what they returned, in errno order: {@code -ENOMEM} style names (the number for
   * an errno without a name), then {@code BUG}, then {@code other}. Empty when no call failed or
   * when the failures were recorded without their value.
   */
  public Map<String, Long> errnos() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    if (errnoCounts == null) {
      return out;
    }
    for (int n = 1; n <= MAX_ERRNO; n++) {
      if (errnoCounts[n] > 0) {
        out.put(org.vfiosim.kernel.Errno.name(-n), errnoCounts[n]);
      }
    }
    if (errnoCounts[0] > 0) {
      out.put("BUG", errnoCounts[0]);
    }
    if (errnoCounts[MAX_ERRNO + 1] > 0) {
      out.put("other", errnoCounts[MAX_ERRNO + 1]);
    }
    return out;
  }

  public void merge(OpStats o) {
    if (o.errnoCounts != null) {
      if (errnoCounts == null) {
        errnoCounts = new long[MAX_ERRNO + 2];
      }
      for (int i = 0; i < errnoCounts.length; i++) {
        errnoCounts[i] += o.errnoCounts[i];
      }
    }
    count += o.count;
    errors += o.errors;
    total += o.total;
    min = Math.min(min, o.min);
    max = Math.max(max, o.max);
    hist.add(o.hist);
    if (o.pageCount != null) {
      if (pageCount == null) {
        pageCount = new long[DIRECT_PAGES];
        pageTotal = new long[DIRECT_PAGES];
      }
      for (int i = 0; i < DIRECT_PAGES; i++) {
        pageCount[i] += o.pageCount[i];
        pageTotal[i] += o.pageTotal[i];
      }
    }
    if (o.morePages != null) {
      if (morePages == null) {
        morePages = new TreeMap<>();
      }
      o.morePages.forEach((k, v) -> {
        long[] e = morePages.computeIfAbsent(k, x -> new long[2]);
        e[0] += v[0];
        e[1] += v[1];
      });
    }
  }

  public void reset() {
    count = errors = total = 0;
    min = Long.MAX_VALUE;
    max = Long.MIN_VALUE;
    hist.reset();
    pageCount = null;
    pageTotal = null;
    morePages = null;
    errnoCounts = null;
  }

  public long count() {
    return count;
  }

  public long errors() {
    return errors;
  }

  public long totalCycles() {
    return total;
  }

  public double mean() {
    return count == 0 ? 0.0 : (double) total / count;
  }

  /**
   * The value at percentile {@code p}: HdrHistogram's (3 significant digits, so within 0.1%),
   * clamped to the exact min and max, so a constant latency is reported exactly.
   */
  public long percentile(double p) {
    if (count == 0) {
      return 0;
    }
    return Math.max(min, Math.min(max, hist.getValueAtPercentile(p)));
  }

  /** Exact maximum. */
  public long max() {
    return count == 0 ? 0 : max;
  }

  /** Exact minimum. */
  public long min() {
    return count == 0 ? 0 : min;
  }

  public Histogram histogram() {
    return hist;
  }

  /** Pages touched → {count, total cycles}, ascending. */
  public Map<Long, long[]> byPages() {
    TreeMap<Long, long[]> out = new TreeMap<>();
    if (pageCount != null) {
      for (int i = 0; i < DIRECT_PAGES; i++) {
        if (pageCount[i] > 0) {
          out.put((long) i, new long[] {pageCount[i], pageTotal[i]});
        }
      }
    }
    if (morePages != null) {
      morePages.forEach((k, v) -> out.put(k, v.clone()));
    }
    return out;
  }
}
