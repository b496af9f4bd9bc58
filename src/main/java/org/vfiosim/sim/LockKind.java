package org.vfiosim.sim;

/** The simulated lock primitives, named as {@code perf lock contention} prints their type. */
public enum LockKind {
  MUTEX("mutex"),
  SPINLOCK("spinlock"),
  RWSEM("rwsem");

  private final String perfName;

  LockKind(String perfName) {
    this.perfName = perfName;
  }

  /** The type column of {@code perf lock contention} ({@code rwsem} gets {@code :R} / {@code :W}). */
  public String perfName() {
    return perfName;
  }
}
