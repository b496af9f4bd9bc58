package org.vfiosim.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.vfiosim.sim.LockClassStats;
import org.vfiosim.sim.SiteWait;

/**
 * Renders contended waits as {@code perf lock contention} prints them by default (caller
 * aggregation, stdio output), following mainline {@code tools/perf/builtin-lock.c}:
 *
 * <ul>
 *   <li>fields and sort key are the {@code contention} defaults set in {@code cmd_lock}:
 *       {@code -F contended,wait_total,wait_max,avg_wait}, {@code -k wait_total}, with widths
 *       from {@code contention_keys[]} (10, 12, 12, 12);
 *   <li>{@code print_header_stdio}: each key as {@code "%*s "}, then
 *       {@code "  %10s   %s\n\n"} with {@code type} and {@code caller};
 *   <li>{@code print_lock_stat_stdio}: each key printed then {@code " "}, then
 *       {@code "  %10s   %s\n"} with the type string and the caller; counts with
 *       {@code "%*llu"}, times with {@code lock_stat_key_print_time};
 *   <li>{@code print_contention_result}: the header always, then every entry whose
 *       {@code wait_time_total} is non-zero (the debug footer prints nothing without broken
 *       events or {@code -v}).
 * </ul>
 *
 * <p>One row per {@link SiteWait} (caller and lock type) of every class, sorted by total wait
 * (in ns) descending; ties, which perf leaves in insertion order, are broken by caller symbol,
 * then type, then class name. Times are {@link Units#ns} of the cycle figures; {@code avg wait}
 * is {@code ns(total) / contended} as perf computes {@code avg_wait_time}.
 *
 * <p>Callers are printed as {@code SYMBOL+0x0}: the simulator has no return addresses. (Real perf
 * prints {@code "%s+%#lx"} from {@code get_symbol_name_offset}, and only the bare symbol when the
 * offset is zero.) Like perf's {@code char buf[128]}, a caller is cut to 127 characters.
 */
public final class PerfLockWriter {
  static final String CALLER_SUFFIX = "+0x0";
  static final int CALLER_MAX = 127;

  private static final int LEN_CONTENDED = 10;
  private static final int LEN_TIME = 12;

  /** {@code lock_stat_key_print_time}'s table: bases are C {@code float}s. */
  private static final float[] BASE = {(float) (1e9 * 3600), (float) (1e9 * 60), 1e9f, 1e6f, 1e3f};

  private static final String[] UNIT = {"h ", "m ", "s ", "ms", "us"};

  private PerfLockWriter() {}

  private record Row(String caller, String type, String cls, long contended, long totalNs, long maxNs, long avgNs) {}

  /** Header, then one line per caller and lock type with a non-zero total wait. */
  public static String render(List<LockClassStats> classes, double cpuGhz) {
    List<Row> rows = new ArrayList<>();
    for (LockClassStats c : classes) {
      for (SiteWait w : c.siteWaits()) {
        long total = Units.ns(w.total(), cpuGhz);
        long avg = w.contended() == 0 ? 0 : total / w.contended();
        rows.add(new Row(w.symbol(), w.perfType(), c.name(), w.contended(), total, Units.ns(w.max(), cpuGhz), avg));
      }
    }
    rows.sort(Comparator.comparingLong(Row::totalNs)
        .reversed()
        .thenComparing(Row::caller)
        .thenComparing(Row::type)
        .thenComparing(Row::cls));

    StringBuilder sb = new StringBuilder();
    sb.append(pad("contended", LEN_CONTENDED)).append(' ');
    sb.append(pad("total wait", LEN_TIME)).append(' ');
    sb.append(pad("max wait", LEN_TIME)).append(' ');
    sb.append(pad("avg wait", LEN_TIME)).append(' ');
    sb.append("  ").append(pad("type", 10)).append("   ").append("caller").append("\n\n");
    for (Row r : rows) {
      if (r.totalNs() == 0) {
        continue;
      }
      sb.append(pad(Long.toString(r.contended()), LEN_CONTENDED)).append(' ');
      sb.append(printTime(r.totalNs(), LEN_TIME)).append(' ');
      sb.append(printTime(r.maxNs(), LEN_TIME)).append(' ');
      sb.append(printTime(r.avgNs(), LEN_TIME)).append(' ');
      String caller = r.caller() + CALLER_SUFFIX;
      if (caller.length() > CALLER_MAX) {
        caller = caller.substring(0, CALLER_MAX);
      }
      sb.append("  ").append(pad(r.type(), 10)).append("   ").append(caller).append('\n');
    }
    return sb.toString();
  }

  /**
   * {@code lock_stat_key_print_time(nsec, len)}: the first unit whose (float) base is not above
   * {@code nsec}, printed {@code "%*.2f %s"} with width {@code len - 3} and the value computed in
   * float as C does ({@code nsec / table[i].base}); below 1 µs {@code "%*llu ns"}.
   */
  static String printTime(long nsec, int len) {
    float f = (float) nsec;
    for (int i = 0; i < BASE.length; i++) {
      if (f < BASE[i]) {
        continue;
      }
      float v = f / BASE[i];
      return pad(fixed2(v), len - 3) + " " + UNIT[i];
    }
    return pad(Long.toString(nsec), len - 3) + " ns";
  }

  /** glibc {@code %.2f} of a float promoted to double: exact binary value, ties to even. */
  static String fixed2(float v) {
    return new BigDecimal((double) v).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static String pad(String s, int width) {
    return LockStatWriter.pad(s, width);
  }
}
