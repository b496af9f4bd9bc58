package org.vfiosim.sim;

/**
 * Lockstat counters of one lock (class or instance) in one mode: the write/plain row or the read row
 * of {@code /proc/lock_stat}. Times are virtual cycles.
 *
 * <p>{@code acquisitions} counts grants (so a script can assert it while the lock is held);
 * {@code hold.nr()} counts releases, which is what the kernel prints in the acquisitions column.
 * They differ only while a lock is held.
 */
public final class LockModeStats {
  public final LockTime wait = new LockTime();
  public final LockTime hold = new LockTime();
  long acquisitions;
  long conBounces;
  long acqBounces;

  public long acquisitions() {
    return acquisitions;
  }

  /** Acquisitions that had to wait (lock_stat's contentions column = waittime.nr). */
  public long contentions() {
    return wait.nr;
  }

  public long conBounces() {
    return conBounces;
  }

  public long acqBounces() {
    return acqBounces;
  }

  public void merge(LockModeStats o) {
    wait.merge(o.wait);
    hold.merge(o.hold);
    acquisitions += o.acquisitions;
    conBounces += o.conBounces;
    acqBounces += o.acqBounces;
  }

  public void reset() {
    wait.reset();
    hold.reset();
    acquisitions = conBounces = acqBounces = 0;
  }

  public boolean isEmpty() {
    return acquisitions == 0 && hold.nr == 0 && wait.nr == 0;
  }
}
