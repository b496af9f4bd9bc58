package org.vfiosim.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.vfiosim.sim.TimeKeeper;

/**
 * Progress on stderr for runs longer than about two seconds: virtual time reached (with a bar
 * when the expected end is known), events, and events per wall second. Wall-clock time is used
 * only here, for display; it never reaches a result.
 */
final class ProgressPrinter implements TimeKeeper.Progress {
  private static final long START_AFTER_NS = 2_000_000_000L;
  private static final long EVERY_NS = 500_000_000L;
  private static final long EVERY_NS_NO_TTY = 5_000_000_000L;

  private final PrintStream err;
  private final long expectedEnd;
  private final double ghz;
  private final boolean tty = System.console() != null;
  private final long start = System.nanoTime();
  private long last;
  private boolean printed;

  ProgressPrinter(PrintStream err, long expectedEnd, double ghz) {
    this.err = err;
    this.expectedEnd = expectedEnd;
    this.ghz = ghz;
  }

  @Override
  public void window(long virtualTime, long events) {
    long now = System.nanoTime();
    if (now - start < START_AFTER_NS || now - last < (tty ? EVERY_NS : EVERY_NS_NO_TTY)) {
      return;
    }
    last = now;
    double secs = (now - start) / 1e9;
    StringBuilder sb = new StringBuilder(tty ? "\r" : "").append("[vfiosim] ");
    if (expectedEnd > 0) {
      double f = Math.min(1.0, (double) virtualTime / expectedEnd);
      int w = 24;
      int k = (int) (f * w);
      sb.append('[').append("#".repeat(k)).append("-".repeat(w - k)).append(']')
          .append(String.format(Locale.ROOT, " %3.0f%% ", f * 100));
    }
    sb.append(String.format(Locale.ROOT, "virtual %.3f ms | %.1f M events | %.2f M events/s | %.0f s",
        virtualTime / ghz / 1e6, events / 1e6, events / secs / 1e6, secs));
    if (tty) {
      sb.append("   ");
      err.print(sb);
    } else {
      err.println(sb);
    }
    err.flush();
    printed = true;
  }

  void finish() {
    if (printed && tty) {
      err.println();
      err.flush();
    }
  }
}
