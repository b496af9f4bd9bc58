package org.vfiosim.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lock semantics on one shard, without Akka: FIFO hand-off, rwsem rules, lockstat arithmetic. */
class LockSemanticsTest {
  private final Model m = new Model(1);
  private final Domain d = m.domain("d");
  private final List<String> log = new ArrayList<>();

  private Steps mark(Steps s, String what) {
    return s.then(t -> log.add(t.name + " " + what + " @" + t.now));
  }

  private void run() {
    m.layout(1);
    m.shards()[0].runUntil(Long.MAX_VALUE);
  }

  @Test
  void mutex_hands_off_in_fifo_order_of_request_time() {
    LockClass c = m.lockClass("L", LockKind.MUTEX, 0, 0, 0);
    SimMutex l = m.mutex(c, "o", d);
    // a takes the lock at 0 and holds 100; b asks at 30, c at 10, d at 20: hand-off c, d, b.
    m.thread("a", d, mark(Steps.of().lock(l), "got").cost(100).unlock(l), 0);
    m.thread("b", d, mark(Steps.of().lock(l), "got").cost(5).unlock(l), 30);
    m.thread("c", d, mark(Steps.of().lock(l), "got").cost(5).unlock(l), 10);
    m.thread("e", d, mark(Steps.of().lock(l), "got").cost(5).unlock(l), 20);
    run();
    assertThat(log).containsExactly("a got @0", "c got @100", "e got @105", "b got @110");
    LockModeStats s = l.writeStats();
    assertThat(s.acquisitions()).isEqualTo(4);
    assertThat(s.contentions()).isEqualTo(3);
    assertThat(s.wait.total()).isEqualTo((100 - 10) + (105 - 20) + (110 - 30));
    assertThat(s.wait.min()).isEqualTo(80);
    assertThat(s.wait.max()).isEqualTo(90);
    assertThat(s.hold.total()).isEqualTo(100 + 5 + 5 + 5);
    assertThat(s.hold.max()).isEqualTo(100);
    assertThat(s.hold.min()).isEqualTo(5);
    assertThat(l.isHeld()).isFalse();
  }

  @Test
  void lock_costs_and_handoff_delay_the_waiter() {
    LockClass c = m.lockClass("L", LockKind.MUTEX, 7, 3, 50);
    SimMutex l = m.mutex(c, "o", d);
    m.thread("a", d, mark(Steps.of().lock(l), "got").cost(100).unlock(l).then(t -> log.add("a out @" + t.now)), 0);
    m.thread("b", d, mark(Steps.of().lock(l), "got").unlock(l), 1);
    run();
    // a: acquired at 0+7, releases at 107, pays 3. b waits from 1, runs at 107+50 with the lock.
    assertThat(log).containsExactly("a got @7", "a out @110", "b got @157");
    assertThat(l.writeStats().wait.total()).isEqualTo(156);
    assertThat(l.writeStats().hold.total()).isEqualTo(100 + 0);
  }

  @Test
  void a_release_ahead_in_virtual_time_still_blocks_an_earlier_request() {
    LockClass c = m.lockClass("L", LockKind.MUTEX, 0, 0, 0);
    SimMutex l = m.mutex(c, "o", d);
    // a runs ahead: locks at 0, computes 500 cycles, releases at 500 while b's request (at 200)
    // has not been processed yet. b must still wait until 500.
    m.thread("a", d, Steps.of().lock(l).cost(500).unlock(l).cost(1000).sleep(0), 0);
    m.thread("b", d, mark(Steps.of().lock(l), "got").unlock(l), 200);
    run();
    assertThat(log).containsExactly("b got @500");
    assertThat(l.writeStats().contentions()).isEqualTo(1);
    assertThat(l.writeStats().wait.total()).isEqualTo(300);
  }

  @Test
  void rwsem_readers_share_and_a_queued_writer_blocks_later_readers() {
    LockClass c = m.lockClass("S", LockKind.RWSEM, 0, 0, 0);
    SimRwsem l = m.rwsem(c, "o", d);
    m.thread("r1", d, mark(Steps.of().lockRead(l), "got").cost(100).unlockRead(l), 0);
    m.thread("r2", d, mark(Steps.of().lockRead(l), "got").cost(100).unlockRead(l), 10);
    m.thread("w", d, mark(Steps.of().lock(l), "got").cost(50).unlock(l), 20);
    m.thread("r3", d, mark(Steps.of().lockRead(l), "got").cost(10).unlockRead(l), 30);
    m.thread("r4", d, mark(Steps.of().lockRead(l), "got").cost(10).unlockRead(l), 40);
    run();
    // r1, r2 share; w waits for both (until 110); r3 and r4 queue behind w and get it together.
    assertThat(log).containsExactly("r1 got @0", "r2 got @10", "w got @110", "r3 got @160", "r4 got @160");
    assertThat(l.readStats().acquisitions()).isEqualTo(4);
    assertThat(l.readStats().contentions()).isEqualTo(2);
    assertThat(l.readStats().wait.total()).isEqualTo((160 - 30) + (160 - 40));
    assertThat(l.writeStats().contentions()).isEqualTo(1);
    assertThat(l.writeStats().wait.total()).isEqualTo(90);
    assertThat(l.readStats().hold.total()).isEqualTo(100 + 100 + 10 + 10);
    assertThat(l.isHeld()).isFalse();
  }

  @Test
  void rwsem_writer_waits_for_the_latest_reader_release_even_when_released_ahead() {
    LockClass c = m.lockClass("S", LockKind.RWSEM, 0, 0, 0);
    SimRwsem l = m.rwsem(c, "o", d);
    // r1 releases at 300 (ahead), r2 at 80; the writer asking at 50 gets it at 300.
    m.thread("r1", d, Steps.of().lockRead(l).cost(300).unlockRead(l).cost(1000).sleep(0), 0);
    m.thread("r2", d, Steps.of().lockRead(l).cost(70).unlockRead(l), 10);
    m.thread("w", d, mark(Steps.of().lock(l), "got").unlock(l), 50);
    run();
    assertThat(log).containsExactly("w got @300");
  }

  @Test
  void contention_and_contending_points_follow_lockdep() {
    LockClass c = m.lockClass("L", LockKind.MUTEX, 0, 0, 0);
    SimMutex l = m.mutex(c, "o", d);
    m.thread("a", d, Steps.of().lockAt(l, "holder_fn").cost(100).unlock(l), 0);
    m.thread("b", d, Steps.of().lockAt(l, "waiter_fn").cost(1).unlock(l), 1);
    m.thread("c", d, Steps.of().lockAt(l, "waiter_fn").cost(1).unlock(l), 2);
    run();
    assertThat(l.contentionPoints(4)).containsExactly(new LockPoint("waiter_fn", 2));
    // b waited behind holder_fn's hold; c behind holder_fn too (b had not yet taken it at 2).
    assertThat(l.contendingPoints(4)).containsExactly(new LockPoint("holder_fn", 2));
    LockClassStats cs = LockClassStats.of(m).get(0);
    assertThat(cs.contentions()).isEqualTo(2);
    assertThat(cs.siteWaits()).hasSize(1);
    assertThat(cs.siteWaits().get(0).total()).isEqualTo(99 + 99);
  }

  @Test
  void releasing_a_lock_not_held_is_a_simulation_error() {
    LockClass c = m.lockClass("L", LockKind.MUTEX, 0, 0, 0);
    SimMutex l = m.mutex(c, "o", d);
    m.thread("a", d, Steps.of().unlock(l), 0);
    m.layout(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.shards()[0].runUntil(Long.MAX_VALUE))
        .isInstanceOf(SimulationFailure.class).hasCauseInstanceOf(SimulationError.class).hasMessageContaining("does not hold");
  }

  @Test
  void atomic_rmw_costs_and_bounces_between_cpus() {
    AtomicVar v = m.atomic("kref", 20, 90, 0);
    m.thread("a", d, Steps.of().then(t -> t.atomic(v)).then(t -> log.add("a @" + t.now)), 0);
    m.thread("b", d, Steps.of().sleep(1000).then(t -> t.atomic(v)).then(t -> t.atomic(v))
        .then(t -> log.add("b @" + t.now)), 0);
    run();
    assertThat(log).containsExactly("a @20", "b @1130");
    assertThat(v.ops()).isEqualTo(3);
    assertThat(v.bounces()).isEqualTo(1);
  }
}
