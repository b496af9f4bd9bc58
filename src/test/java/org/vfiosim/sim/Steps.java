package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Test frame: a straight list of steps (cost, lock, unlock, log) run on one simulated thread. */
final class Steps extends Frame {
  interface Step {
    /** Returns false when the thread must yield (the next step runs when it resumes). */
    boolean apply(SimThread t);
  }

  private final List<Step> steps = new ArrayList<>();

  static Steps of() {
    return new Steps();
  }

  Steps cost(long c) {
    steps.add(t -> {
      t.cost(c);
      return true;
    });
    return this;
  }

  Steps sleep(long c) {
    steps.add(t -> t.sleep(c));
    return this;
  }

  Steps lock(SimLock l) {
    steps.add(t -> t.lock(l, CallSite.of("test_lock_" + t.name)));
    return this;
  }

  Steps lockAt(SimLock l, String site) {
    steps.add(t -> t.lock(l, CallSite.of(site)));
    return this;
  }

  Steps lockRead(SimRwsem l) {
    steps.add(t -> t.lockRead(l, CallSite.of("test_read_" + t.name)));
    return this;
  }

  Steps unlock(SimLock l) {
    steps.add(t -> {
      t.unlock(l);
      return true;
    });
    return this;
  }

  Steps unlockRead(SimRwsem l) {
    steps.add(t -> {
      t.unlockRead(l);
      return true;
    });
    return this;
  }

  /** Runs {@code c} with the thread (to log its time). */
  Steps then(Consumer<SimThread> c) {
    steps.add(t -> {
      c.accept(t);
      return true;
    });
    return this;
  }

  @Override
  protected void run(SimThread t) {
    while (pc < steps.size()) {
      Step s = steps.get(pc++);
      if (!s.apply(t)) {
        return;
      }
    }
    t.ret(0);
  }
}
