package org.vfiosim.sim;

import java.util.List;

/**
 * A simulated kernel lock instance: a class (shared name, kind and costs) and an owner (the VM,
 * vGPU or host it belongs to). Requests are processed in virtual-time order; hand-off is FIFO.
 * Keeps lockstat statistics as {@code kernel/locking/lockdep.c} does ({@code lock_contended},
 * {@code lock_acquired}, {@code lock_release}), in cycles.
 */
public abstract class SimLock {
  public final LockClass cls;
  public final String owner;
  final Domain domain;
  int id = -1;

  final LockModeStats write;
  final LockModeStats read;
  /**
   * Where this lock's statistics go: itself, or the {@link SimMutexSet} a lock made at run time
   * belongs to (its figures are the set's, whose instance is the one registered and reported).
   */
  final SimLock stats;
  ContentionPoints contentionPoints;
  ContentionPoints contendingPoints;

  /** Contended waits by (mode, call site): {count, total, max, min} per site. */
  SiteWaits waitsWrite;
  SiteWaits waitsRead;

  /**
   * CPU and call site of the last acquirer ({@code lock->cpu}, {@code lock->ip}). A grant may be
   * decided ahead of its virtual time (a holder released ahead), so the previous acquirer is kept
   * until {@code lastSince}, when the new hold starts: a request at an earlier time still sees it.
   */
  int lastCpu = -1;
  CallSite lastSite;
  private int prevCpu = -1;
  private CallSite prevSite;
  private long lastSince = Long.MIN_VALUE;

  SimLock(LockClass cls, String owner, Domain domain) {
    this(cls, owner, domain, null);
  }

  /** A lock whose statistics go to {@code statsOf} (null: its own). */
  SimLock(LockClass cls, String owner, Domain domain, SimLock statsOf) {
    this.cls = cls;
    this.owner = owner;
    this.domain = domain;
    this.stats = statsOf == null ? this : statsOf;
    this.write = statsOf == null ? new LockModeStats() : statsOf.write;
    this.read = statsOf == null ? (cls.kind == LockKind.RWSEM ? new LockModeStats() : null) : statsOf.read;
  }

  /** Lock instances this one stands for in lock_stat's class figures (a {@link SimMutexSet}: every member made). */
  public int instances() {
    return 1;
  }

  /** Processes an acquire by {@code t} at {@code t.now}. True: held, go on. False: t blocks. */
  abstract boolean request(SimThread t, byte mode, CallSite site);

  /** Releases at {@code t.now}; {@code since} is when t acquired it (hold time). */
  abstract void release(SimThread t, byte mode, long since);

  /** True while any thread holds or has been granted the lock. */
  public abstract boolean isHeld();

  /** Threads waiting in the FIFO queue (for deadlock reports). */
  abstract List<SimThread> waiters();

  /** Threads holding the lock now. */
  abstract List<SimThread> holders();

  /** Threads holding (or granted) the lock now. */
  public final List<SimThread> currentHolders() {
    return holders();
  }

  /** Threads queued for the lock now, in FIFO order. */
  public final List<SimThread> currentWaiters() {
    return waiters();
  }

  public final LockModeStats writeStats() {
    return write;
  }

  /** Read-side statistics (rwsem only; null otherwise). */
  public final LockModeStats readStats() {
    return read;
  }

  /** lock_stat's contention points (where waiters were) of this instance. */
  public final List<LockPoint> contentionPoints(int limit) {
    return contentionPoints == null ? List.of() : contentionPoints.top(limit);
  }

  /** lock_stat's contending points (where the holder took the lock) of this instance. */
  public final List<LockPoint> contendingPoints(int limit) {
    return contendingPoints == null ? List.of() : contendingPoints.top(limit);
  }

  ContentionPoints contentionPointsRaw() {
    return contentionPoints;
  }

  ContentionPoints contendingPointsRaw() {
    return contendingPoints;
  }

  private String traceName(byte mode) {
    return cls.kind == LockKind.RWSEM ? cls.name + (mode == SimThread.MODE_READ ? "-R" : "-W") : cls.name;
  }

  /** A hold ended (called by the subclasses' release). */
  final void traceHold(SimThread t, byte mode, long since, long until) {
    if (t.shard.trace != null) {
      t.shard.trace.add(TraceEvent.Kind.HOLD, since, until, t, traceName(mode), owner);
    }
  }

  /** Zeroes the counters ({@code echo 0 > /proc/lock_stat}, the script's reset_counters). */
  public void resetStats() {
    write.reset();
    if (read != null) {
      read.reset();
    }
    contentionPoints = null;
    contendingPoints = null;
    waitsWrite = null;
    waitsRead = null;
  }

  /** Name as lock_stat prints the instance owner: {@code &iommu->lock vm1}. */
  public String displayName() {
    return cls.name + " " + owner;
  }

  /** lock_contended(): t could not take the lock at its request time. */
  final void contended(SimThread t, byte mode, CallSite site) {
    SimLock st = stats;
    if (st.contentionPoints == null) {
      st.contentionPoints = new ContentionPoints();
      st.contendingPoints = new ContentionPoints();
    }
    long key = t.nextKey();
    st.contentionPoints.add(site, t.now, key);
    boolean current = t.now >= lastSince;
    CallSite holderSite = current ? lastSite : prevSite;
    int holderCpu = current ? lastCpu : prevCpu;
    if (holderSite != null) {
      st.contendingPoints.add(holderSite, t.now, key);
    }
    if (holderCpu >= 0 && holderCpu != t.cpu) {
      (mode == SimThread.MODE_READ ? read : write).conBounces++;
    }
  }

  /**
   * lock_acquired(): t holds the lock from {@code acquiredAt}, having asked at {@code requestTime};
   * a contended acquisition records its wait (only a non-zero one, as {@code __lock_acquired}).
   */
  final void acquired(SimThread t, byte mode, CallSite site, long requestTime, long acquiredAt, boolean contended) {
    LockModeStats s = mode == SimThread.MODE_READ ? read : write;
    s.acquisitions++;
    boolean bounce = lastCpu >= 0 && lastCpu != t.cpu;
    if (bounce) {
      s.acqBounces++;
    }
    long waited = acquiredAt - requestTime;
    if (contended && waited > 0) {
      s.wait.add(waited);
      recordSiteWait(mode, site, waited);
      if (t.shard.trace != null) {
        t.shard.trace.add(TraceEvent.Kind.WAIT, requestTime, acquiredAt, t, traceName(mode), owner);
      }
    }
    prevCpu = lastCpu;
    prevSite = lastSite;
    lastCpu = t.cpu;
    lastSite = site;
    lastSince = acquiredAt;
    t.shard.grants++;
    t.pushHeld(this, mode, acquiredAt, site);
  }

  private void recordSiteWait(byte mode, CallSite site, long waited) {
    SimLock st = stats;
    if (mode == SimThread.MODE_READ) {
      if (st.waitsRead == null) {
        st.waitsRead = new SiteWaits();
      }
      st.waitsRead.add(site, waited);
    } else {
      if (st.waitsWrite == null) {
        st.waitsWrite = new SiteWaits();
      }
      st.waitsWrite.add(site, waited);
    }
  }


  @Override
  public String toString() {
    return displayName();
  }
}
