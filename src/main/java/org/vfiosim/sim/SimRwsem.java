package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code struct rw_semaphore}: readers share; FIFO hand-off; a queued writer blocks every later
 * reader (no reader overtaking), so readers are granted in batches between writers.
 *
 * <p>Releases may come "ahead" in virtual time (see {@link SimMutex}): {@code writeFreeAt} is when
 * the last writer let go (blocks everyone until then), {@code readFreeAt} the latest release of a
 * reader (blocks writers until then).
 */
public final class SimRwsem extends SimLock {
  private SimThread writer;
  private int readers;
  private final List<SimThread> readerList = new ArrayList<>();
  private long writeFreeAt = Long.MIN_VALUE;
  private long readFreeAt = Long.MIN_VALUE;
  private SimThread head;
  private SimThread tail;

  public SimRwsem(LockClass cls, String owner, Domain domain) {
    super(cls, owner, domain);
    if (cls.kind != LockKind.RWSEM) {
      throw new IllegalArgumentException(cls.name + " is not an rwsem");
    }
  }

  @Override
  boolean request(SimThread t, byte mode, CallSite site) {
    long now = t.now;
    if (head == null) {
      if (mode == SimThread.MODE_READ && writer == null) {
        readers++;
        readerList.add(t);
        return grantNow(t, mode, site, now, writeFreeAt);
      }
      if (mode == SimThread.MODE_WRITE && writer == null && readers == 0) {
        writer = t;
        return grantNow(t, mode, site, now, Math.max(writeFreeAt, readFreeAt));
      }
    }
    contended(t, mode, site);
    t.waitSince = now;
    t.waitSite = site;
    t.waitMode = mode;
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

  private boolean grantNow(SimThread t, byte mode, CallSite site, long now, long freeAt) {
    if (freeAt <= now) {
      long at = now + cls.acquireCycles;
      acquired(t, mode, site, now, at, false);
      t.now = at;
      return true;
    }
    contended(t, mode, site);
    long at = freeAt + cls.handoffCycles;
    acquired(t, mode, site, now, at, true);
    t.resumeAt(at);
    t.yielded = true;
    return false;
  }

  @Override
  void release(SimThread t, byte mode, long since) {
    long now = t.now;
    if (mode == SimThread.MODE_READ) {
      read.hold.add(now - since);
      traceHold(t, mode, since, now);
      readers--;
      readerList.remove(t);
      readFreeAt = Math.max(readFreeAt, now);
      if (readers == 0) {
        grantWaiters(Math.max(now, readFreeAt));
      }
    } else {
      write.hold.add(now - since);
      traceHold(t, mode, since, now);
      writer = null;
      writeFreeAt = now;
      grantWaiters(now);
    }
    t.now = now + cls.releaseCycles;
  }

  /** Hands the lock to the queue head: one writer, or every reader up to the next writer. */
  private void grantWaiters(long at) {
    SimThread w = head;
    if (w == null) {
      return;
    }
    if (w.waitMode == SimThread.MODE_WRITE) {
      dequeueHead();
      writer = w;
      grantQueued(w, at);
      return;
    }
    while (head != null && head.waitMode == SimThread.MODE_READ) {
      SimThread r = dequeueHead();
      readers++;
      readerList.add(r);
      grantQueued(r, at);
    }
  }

  private SimThread dequeueHead() {
    SimThread w = head;
    head = w.waitNext;
    if (head == null) {
      tail = null;
    }
    w.waitNext = null;
    w.waitingOn = null;
    return w;
  }

  private void grantQueued(SimThread w, long at) {
    long acquiredAt = at + cls.handoffCycles;
    acquired(w, w.waitMode, w.waitSite, w.waitSince, acquiredAt, true);
    w.waitSite = null;
    w.resumeAt(acquiredAt);
  }

  @Override
  public boolean isHeld() {
    return writer != null || readers > 0;
  }

  /** Readers holding the lock now. */
  public int readers() {
    return readers;
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
    List<SimThread> out = new ArrayList<>(readerList);
    if (writer != null) {
      out.add(0, writer);
    }
    return out;
  }
}
