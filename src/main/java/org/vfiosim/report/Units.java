package org.vfiosim.report;

/** Unit conversions shared by the report writers. */
public final class Units {
  private Units() {}

  /**
   * Virtual CPU cycles to nanoseconds at {@code cpuGhz} cycles per nanosecond, rounded to the
   * nearest nanosecond ({@code Math.round(cycles / cpuGhz)}).
   */
  public static long ns(long cycles, double cpuGhz) {
    return Math.round(cycles / cpuGhz);
  }
}
