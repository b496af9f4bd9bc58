package org.vfiosim.report;

import java.util.List;
import org.vfiosim.sim.LockClassStats;
import org.vfiosim.sim.LockModeStats;
import org.vfiosim.sim.LockPoint;
import org.vfiosim.sim.LockTime;

/**
 * Renders lock classes as {@code /proc/lock_stat} version 0.4, byte for byte as Linux v5.10
 * {@code kernel/locking/lockdep_proc.c} prints it ({@code seq_header}, {@code seq_stats},
 * {@code seq_lock_time}, {@code seq_time}, {@code snprint_time}, {@code seq_line}).
 *
 * <p>Times are converted from cycles with {@link Units#ns}; the average columns are
 * {@code ns(total) / nr} (integer division, as {@code div64_u64} on the kernel's ns totals).
 * Classes are printed in the order given ({@link LockClassStats#of} already sorts them).
 *
 * <p>Two deliberate choices, because the simulator has no instruction pointers:
 *
 * <ul>
 *   <li>the {@code [<%p>]} field of a contention / contending point is printed as
 *       {@code [<0000000000000000>]};
 *   <li>the {@code %pS} symbol is printed as {@code SYMBOL+0x0/0x0} (offset and size unknown; no
 *       module suffix).
 * </ul>
 */
public final class LockStatWriter {
  /** Width of the dash and dot lines: {@code 40 + 1 + 12 * (14 + 1)}. */
  public static final int LINE_WIDTH = 40 + 1 + 12 * (14 + 1);

  /** The class name buffer is {@code char name[39]} filled by {@code snprintf(name, 38, ...)}. */
  static final int NAME_MAX = 37;

  static final String IP = "[<0000000000000000>]";

  private LockStatWriter() {}

  /** The whole file: header, then every class in the order given. */
  public static String render(List<LockClassStats> classes, double cpuGhz) {
    StringBuilder sb = new StringBuilder();
    seqHeader(sb);
    for (LockClassStats c : classes) {
      seqStats(sb, c, cpuGhz);
    }
    return sb.toString();
  }

  private static void seqHeader(StringBuilder sb) {
    sb.append("lock_stat version 0.4\n");
    seqLine(sb, '-', 0, LINE_WIDTH);
    String[] cols = {
      "con-bounces", "contentions", "waittime-min", "waittime-max", "waittime-total", "waittime-avg",
      "acq-bounces", "acquisitions", "holdtime-min", "holdtime-max", "holdtime-total", "holdtime-avg"
    };
    sb.append(pad("class name", 40));
    for (String c : cols) {
      sb.append(' ').append(pad(c, 14));
    }
    sb.append('\n');
    seqLine(sb, '-', 0, LINE_WIDTH);
    sb.append('\n');
  }

  private static void seqStats(StringBuilder sb, LockClassStats c, double cpuGhz) {
    String name = c.name();
    if (name.length() > NAME_MAX) {
      name = name.substring(0, NAME_MAX);
    }
    int namelen = name.length();
    LockModeStats w = c.write;
    LockModeStats r = c.read;
    long readHoldNr = r == null ? 0 : r.hold.nr();
    long readWaitNr = r == null ? 0 : r.wait.nr();

    if (w.hold.nr() != 0) {
      if (readHoldNr != 0) {
        sb.append(pad(name, 38)).append("-W:");
      } else {
        sb.append(pad(name, 40)).append(':');
      }
      modeRow(sb, w, cpuGhz);
    }
    if (readHoldNr != 0) {
      sb.append(pad(name, 38)).append("-R:");
      modeRow(sb, r, cpuGhz);
    }

    if (readWaitNr + w.wait.nr() == 0) {
      return;
    }
    if (readHoldNr != 0) {
      namelen += 2;
    }
    pointLines(sb, name, namelen, c.contentionPoints());
    List<LockPoint> contending = c.contendingPoints();
    pointLines(sb, name, namelen, contending);
    if (!contending.isEmpty()) {
      sb.append('\n');
      seqLine(sb, '.', 0, LINE_WIDTH);
      sb.append('\n');
    }
  }

  private static void modeRow(StringBuilder sb, LockModeStats s, double cpuGhz) {
    sb.append(pad(Long.toString(s.conBounces()), 14)).append(' ');
    seqLockTime(sb, s.wait, cpuGhz);
    sb.append(' ').append(pad(Long.toString(s.acqBounces()), 14)).append(' ');
    seqLockTime(sb, s.hold, cpuGhz);
    sb.append('\n');
  }

  private static void pointLines(StringBuilder sb, String name, int namelen, List<LockPoint> points) {
    for (int i = 0; i < points.size(); i++) {
      if (i == 0) {
        seqLine(sb, '-', 40 - namelen, namelen);
      }
      LockPoint p = points.get(i);
      sb.append(pad(name, 40))
          .append(' ')
          .append(pad(Long.toString(p.count()), 14))
          .append(' ')
          .append(pad(IP, 29))
          .append(' ')
          .append(p.symbol())
          .append("+0x0/0x0\n");
    }
  }

  private static void seqLockTime(StringBuilder sb, LockTime lt, double cpuGhz) {
    long total = Units.ns(lt.total(), cpuGhz);
    sb.append(pad(Long.toString(lt.nr()), 14));
    seqTime(sb, Units.ns(lt.min(), cpuGhz));
    seqTime(sb, Units.ns(lt.max(), cpuGhz));
    seqTime(sb, total);
    seqTime(sb, lt.nr() != 0 ? total / lt.nr() : 0);
  }

  private static void seqTime(StringBuilder sb, long ns) {
    sb.append(' ').append(pad(snprintTime(ns), 14));
  }

  /**
   * {@code snprint_time} into {@code char num[15]}: ns as microseconds with two (truncated)
   * decimals after adding 5 ns, cut to 14 characters as the kernel's buffer cuts it.
   */
  static String snprintTime(long ns) {
    long nr = ns + 5;
    long div = nr / 1000;
    int rem = (int) (nr % 1000);
    int cents = rem / 10;
    String s = div + "." + (cents < 10 ? "0" : "") + cents;
    return s.length() > 14 ? s.substring(0, 14) : s;
  }

  /** {@code seq_line}: {@code offset} spaces, {@code length} copies of {@code c}, newline. */
  static void seqLine(StringBuilder sb, char c, int offset, int length) {
    sb.append(" ".repeat(Math.max(0, offset)));
    sb.append(String.valueOf(c).repeat(Math.max(0, length)));
    sb.append('\n');
  }

  /** {@code %Ns}: right-aligned in {@code width}, never cut. */
  static String pad(String s, int width) {
    return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
  }
}
