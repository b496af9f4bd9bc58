package org.vfiosim.sim;

/**
 * A lock class in lockdep's sense: every {@code &iommu->lock} of every container shares one class,
 * with one set of costs. Instances ({@link SimLock}) belong to an owner (a VM, a vGPU, the host).
 *
 * <p>Costs in cycles: {@code acquire} is paid by an uncontended acquirer, {@code release} by the
 * releaser, {@code handoff} is the time from a release to the moment the first waiter runs
 * holding the lock (the wake-up of a sleeping mutex waiter).
 */
public final class LockClass {
  public final String name;
  public final LockKind kind;
  public final long acquireCycles;
  public final long releaseCycles;
  public final long handoffCycles;
  /** Index in the model's registry ({@link Model#lockClass}); -1 for a class built outside one. */
  int id = -1;

  public LockClass(String name, LockKind kind, long acquireCycles, long releaseCycles, long handoffCycles) {
    if (acquireCycles < 0 || releaseCycles < 0 || handoffCycles < 0) {
      throw new IllegalArgumentException("negative lock cost for " + name);
    }
    this.name = name;
    this.kind = kind;
    this.acquireCycles = acquireCycles;
    this.releaseCycles = releaseCycles;
    this.handoffCycles = handoffCycles;
  }

  /** Index in the model's registry (lockdep keys its class-order edges by it); -1 outside one. */
  public int id() {
    return id;
  }

  @Override
  public String toString() {
    return name;
  }
}
