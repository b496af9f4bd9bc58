package org.vfiosim.run;

/**
 * A kernel-level problem the run exhibited (design §6): {@code BUG}, {@code WARN}, {@code LEAK},
 * {@code DEADLOCK} or {@code LOCK_ORDER}. {@code vm} is the VM concerned, or null for the host.
 */
public record Finding(Kind kind, String vm, String where, String message) {

  /** Finding kinds, as results.json spells them. */
  public enum Kind {
    BUG, WARN, LEAK, DEADLOCK, LOCK_ORDER;

    /** Kinds that make a run exit with status 1. */
    public boolean failsRun() {
      return this == BUG || this == LEAK || this == DEADLOCK;
    }
  }
}
