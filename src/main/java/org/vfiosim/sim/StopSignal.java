package org.vfiosim.sim;

/**
 * A request, from outside the simulation (a JVM shutdown hook on SIGINT / SIGTERM), to stop a run
 * at the next window boundary. The time keeper polls it between windows; it decides only when a
 * run stops, never what a complete run computes.
 */
public final class StopSignal {
  private volatile String reason;

  /** Asks the run to stop; the first reason wins. */
  public void request(String why) {
    if (reason == null) {
      reason = why;
    }
  }

  /** Why a stop was requested, or null. */
  public String reason() {
    return reason;
  }
}
