package org.vfiosim.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfiosim.sim.CallSite;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.LockKind;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimSemaphore;
import org.vfiosim.sim.SimThread;

class EndChecksTest {

  /** lock(first); sleep; lock(second); unlock both. */
  static final class TwoLocks extends Frame {
    private final SimMutex first;
    private final SimMutex second;

    TwoLocks(SimMutex first, SimMutex second) {
      this.first = first;
      this.second = second;
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          if (!t.lock(first, CallSite.of("take_first"))) {
            return;
          }
          // fall through
        case 1:
          pc = 2;
          if (!t.sleep(100)) {
            return;
          }
          // fall through
        case 2:
          pc = 3;
          if (!t.lock(second, CallSite.of("take_second"))) {
            return;
          }
          // fall through
        case 3:
          t.unlock(second);
          t.unlock(first);
          t.ret(0);
          return;
        default:
          throw new IllegalStateException();
      }
    }

    @Override
    public String function() {
      return "two_locks";
    }
  }

  @Test
  void an_abba_deadlock_is_reported_as_a_wait_for_cycle() {
    Model m = new Model(1);
    Domain d = m.domain("d");
    var cls = m.lockClass("L", LockKind.MUTEX, 0, 0, 0);
    SimMutex x = m.mutex(cls, "x", d);
    SimMutex y = m.mutex(cls, "y", d);
    m.thread("A", d, new TwoLocks(x, y), 0);
    m.thread("B", d, new TwoLocks(y, x), 10);
    m.thread("C", d, new TwoLocks(x, y), 20);
    m.layout(1);
    m.shards()[0].runUntil(Long.MAX_VALUE);

    List<Finding> f = EndChecks.deadlocks(m);
    assertThat(f).hasSize(1);
    assertThat(f.get(0).kind()).isEqualTo(Finding.Kind.DEADLOCK);
    assertThat(f.get(0).where()).isEqualTo("two_locks");
    assertThat(f.get(0).message()).isEqualTo("wait-for cycle: A holds L x and waits for L y held by B; "
        + "B holds L y and waits for L x held by A; also blocked behind it: C");
    assertThat(EndChecks.noLockHeld(m).check()).containsExactly("L x still held by A", "L y still held by B");
    assertThat(EndChecks.everyThreadFinished(m).check()).hasSize(3)
        .contains("C never finished (waits for L x held by A)");
  }

  @Test
  void a_thread_left_asleep_on_a_semaphore_says_which() {
    Model m = new Model(1);
    Domain d = m.domain("d");
    SimSemaphore work = new SimSemaphore("vm0v0:release_work", 0);
    m.thread("kworker", d, new Frame() {
      @Override
      protected void run(SimThread t) {
        pc = 1;
        if (t.down(work)) {
          t.ret(0);
        }
      }

      @Override
      public String function() {
        return "worker";
      }
    }, 0);
    m.layout(1);
    m.shards()[0].runUntil(Long.MAX_VALUE);
    assertThat(EndChecks.everyThreadFinished(m).check())
        .containsExactly("kworker never finished (sleeps on vm0v0:release_work)");
  }

  @Test
  void a_clean_run_has_no_findings() {
    Model m = new Model(1);
    Domain d = m.domain("d");
    var cls = m.lockClass("L", LockKind.MUTEX, 0, 0, 0);
    SimMutex x = m.mutex(cls, "x", d);
    SimMutex y = m.mutex(cls, "y", d);
    m.thread("A", d, new TwoLocks(x, y), 0);
    m.thread("B", d, new TwoLocks(x, y), 10);
    m.layout(1);
    m.shards()[0].runUntil(Long.MAX_VALUE);
    assertThat(EndChecks.deadlocks(m)).isEmpty();
    assertThat(EndChecks.noLockHeld(m).check()).isEmpty();
    assertThat(EndChecks.everyThreadFinished(m).check()).isEmpty();
  }
}
