package org.vfiosim.report;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Power-of-two buckets of a latency distribution, printed as bpftrace prints a {@code hist()} map
 * ({@code print_hist} in bpftrace's {@code src/output.cpp}, log2 with no sub-buckets):
 *
 * <ul>
 *   <li>index 1 is {@code [0]}, index 2 is {@code [1]}, index {@code i >= 3} is
 *       {@code [2^(i-2), 2^(i-1))}, labels with a {@code K}, {@code M}, {@code G}, {@code T} suffix
 *       per power of 1024;
 *   <li>every bucket from the lowest to the highest non-empty one is printed, as
 *       {@code "%-16s%8d |%-52s|"} with a bar of {@code (int) (count / (float) max * 52)} {@code @}s.
 * </ul>
 *
 * <p>The buckets are exact: HdrHistogram's equivalent-value ranges are aligned to powers of two,
 * so none of them straddles a log2 boundary.
 */
public final class Log2Hist {
  /** bpftrace's {@code max_width}. */
  static final int BAR_WIDTH = 52;

  private Log2Hist() {}

  /** Counts by bpftrace hist index (65 + 1 entries; index 0, negative values, stays empty). */
  public static long[] buckets(Histogram h) {
    long[] b = new long[66];
    for (HistogramIterationValue v : h.recordedValues()) {
      long low = h.lowestEquivalentValue(v.getValueIteratedTo());
      b[index(low)] += v.getCountAtValueIteratedTo();
    }
    return b;
  }

  /** The hist index of a value {@code >= 0}. */
  public static int index(long value) {
    return 65 - Long.numberOfLeadingZeros(value);
  }

  /** First and last non-empty index, or null when every bucket is empty. */
  public static int[] range(long[] buckets) {
    int lo = -1;
    int hi = -1;
    for (int i = 0; i < buckets.length; i++) {
      if (buckets[i] > 0) {
        if (lo < 0) {
          lo = i;
        }
        hi = i;
      }
    }
    return lo < 0 ? null : new int[] {lo, hi};
  }

  /** The row label of an index: {@code [0]}, {@code [1]}, {@code [2, 4)}, {@code [1K, 2K)}. */
  public static String label(int index) {
    if (index == 0) {
      return "(..., 0)";
    }
    if (index == 1) {
      return "[0]";
    }
    if (index == 2) {
      return "[1]";
    }
    return "[" + power(index - 2) + ", " + power(index - 1) + ")";
  }

  /** {@code hist_index_label}: 2^p with a suffix per power of 1024. */
  static String power(int p) {
    String suffix = "";
    if (p >= 60) {
      suffix = "E";
      p -= 60;
    } else if (p >= 50) {
      suffix = "P";
      p -= 50;
    } else if (p >= 40) {
      suffix = "T";
      p -= 40;
    } else if (p >= 30) {
      suffix = "G";
      p -= 30;
    } else if (p >= 20) {
      suffix = "M";
      p -= 20;
    } else if (p >= 10) {
      suffix = "K";
      p -= 10;
    }
    return (1L << p) + suffix;
  }

  /**
   * The map as bpftrace prints it: {@code name:} on a line, then one line per bucket from the
   * lowest to the highest non-empty one; just the name line when there is no sample.
   */
  public static String render(String name, long[] buckets) {
    StringBuilder sb = new StringBuilder(name).append(":\n");
    int[] r = range(buckets);
    if (r == null) {
      return sb.toString();
    }
    long max = 0;
    for (long c : buckets) {
      max = Math.max(max, c);
    }
    for (int i = r[0]; i <= r[1]; i++) {
      sb.append(line(label(i), buckets[i], max)).append('\n');
    }
    return sb.toString();
  }

  static String line(String label, long count, long max) {
    int bar = (int) (count / (float) max * BAR_WIDTH);
    StringBuilder sb = new StringBuilder(label);
    while (sb.length() < 16) {
      sb.append(' ');
    }
    String c = Long.toString(count);
    sb.append(" ".repeat(Math.max(0, 8 - c.length()))).append(c).append(" |");
    sb.append("@".repeat(bar)).append(" ".repeat(BAR_WIDTH - bar)).append('|');
    return sb.toString();
  }
}
