package org.vfiosim.sim;

/**
 * A shared counter updated with atomic read-modify-writes (kref, {@code container_users},
 * {@code mm_users}). Each RMW costs {@code rmwCycles}, plus {@code bounceCycles} when the cache line
 * was last written by another simulated CPU.
 */
public final class AtomicVar {
  public final String name;
  final long rmwCycles;
  final long bounceCycles;
  int lastCpu = -1;
  long ops;
  long bounces;
  /** The counter's value, changed by model code right after {@link SimThread#atomic}. */
  public long value;

  public AtomicVar(String name, long rmwCycles, long bounceCycles, long initial) {
    this.name = name;
    this.rmwCycles = rmwCycles;
    this.bounceCycles = bounceCycles;
    this.value = initial;
  }

  public long ops() {
    return ops;
  }

  public long bounces() {
    return bounces;
  }
}
