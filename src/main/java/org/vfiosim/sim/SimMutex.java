package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * An exclusive lock with FIFO hand-off: a sleeping {@code struct mutex} or a queued spinlock
 * (the class's {@link LockKind} tells which; a spinning waiter's wait is time on CPU, a sleeping
 * one's is not, but in virtual time both wait the same).
 *
 * <p>A holder may release "ahead" (at a virtual time later than the event being processed, see
 * {@link SimThread}); the lock then stays busy until {@code freeAt}, so a request processed
 * earlier in wall-clock order but later in virtual time still sees the lock held.
 */
public final class SimMutex extends SimLock {
  private SimThread owner;
  private long freeAt = Long.MIN_VALUE;
  private SimThread head;
  private SimThread tail;

  public SimMutex(LockClass cls, String owner, Domain domain) {
    this(cls, owner, domain, null);
  }

  /** A member of a {@link SimMutexSet}: its statistics go to {@code set}. */
  SimMutex(LockClass cls, String owner, Domain domain, SimLock set) {
    super(cls, owner, domain, set);
    if (cls.kind == LockKind.RWSEM) {
      throw new IllegalArgumentException(cls.name + " is an rwsem");
    }
  }

  @Override
  boolean request(SimThread t, byte mode, CallSite site) {
    long now = t.now;
    if (owner == null && head == null) {
      owner = t;
      if (freeAt <= now) {
        long at = now + cls.acquireCycles;
        acquired(t, SimThread.MODE_WRITE, site, now, at, false);
        t.now = at;
        return true;
      }
      contended(t, mode, site);
      long at = freeAt + cls.handoffCycles;
      acquired(t, SimThread.MODE_WRITE, site, now, at, true);
      t.resumeAt(at);
      t.yielded = true;
      return false;
    }
    contended(t, mode, site);
    t.waitSince = now;
    t.waitSite = site;
    t.waitMode = SimThread.MODE_WRITE;
    t.waitingOn = this;
    t.waitNext = null;
    if (tail == null) {
      head = t;
    } else {
      tail.waitNext = t;
    }
    tail = t;
    t.block();
    return false;
  }

  @Override
  void release(SimThread t, byte mode, long since) {
    long now = t.now;
    write.hold.add(now - since);
    traceHold(t, mode, since, now);
    SimThread w = head;
    if (w != null) {
      head = w.waitNext;
      if (head == null) {
        tail = null;
      }
      w.waitNext = null;
      w.waitingOn = null;
      owner = w;
      long at = now + cls.handoffCycles;
      acquired(w, SimThread.MODE_WRITE, w.waitSite, w.waitSince, at, true);
      w.waitSite = null;
      w.resumeAt(at);
    } else {
      owner = null;
      freeAt = now;
    }
    t.now = now + cls.releaseCycles;
  }

  @Override
  public boolean isHeld() {
    return owner != null;
  }

  /** The thread holding (or granted) the lock, or null. */
  public SimThread owner() {
    return owner;
  }

  @Override
  List<SimThread> waiters() {
    List<SimThread> out = new ArrayList<>();
    for (SimThread w = head; w != null; w = w.waitNext) {
      out.add(w);
    }
    return out;
  }

  @Override
  List<SimThread> holders() {
    return owner == null ? List.of() : List.of(owner);
  }
}
