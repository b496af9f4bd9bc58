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

  public void merge(OpStats o) {
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
