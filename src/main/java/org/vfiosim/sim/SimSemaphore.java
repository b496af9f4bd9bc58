package org.vfiosim.sim;

import java.util.ArrayDeque;

/**
 * A counting semaphore for simulated threads (a boot barrier), or with {@code max = 1} a kernel
 * wait queue with a woken flag ({@code wait_woken} / {@code wake_up}: wake-ups while nobody waits
 * coalesce into one). Not a lock: no statistics. Waiters wake in FIFO order, at the virtual time of
 * the {@code up}.
 */
public final class SimSemaphore {
  public final String name;
  private long count;
  private final long max;
  private final ArrayDeque<SimThread> waiters = new ArrayDeque<>();

  public SimSemaphore(String name, long initial) {
    this(name, initial, Long.MAX_VALUE);
  }

  /** A semaphore whose count never exceeds {@code max}. */
  public SimSemaphore(String name, long initial, long max) {
    this.name = name;
    this.count = Math.min(initial, max);
    this.max = max;
  }

  /** Takes one unit (synchronises first); false when the thread blocks until an {@link #up}. */
  boolean down(SimThread t) {
    if (count > 0) {
      count--;
      return true;
    }
    waiters.addLast(t);
    t.blockOn(this);
    return false;
  }

  /** Gives one unit: the first waiter resumes at {@code t.now}, else the count grows. */
  void up(SimThread t) {
    SimThread w = waiters.pollFirst();
    if (w == null) {
      if (count < max) {
        count++;
      }
      return;
    }
    w.waitingSem = null;
    w.resumeAt(t.now);
  }

  /** wake_up on a wait queue: every waiter resumes at {@code t.now}; the count does not change. */
  void wakeAll(SimThread t) {
    SimThread w;
    while ((w = waiters.pollFirst()) != null) {
      w.waitingSem = null;
      w.resumeAt(t.now);
    }
  }
}
