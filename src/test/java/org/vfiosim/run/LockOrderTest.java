package org.vfiosim.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.sim.CallSite;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.LockClass;
import org.vfiosim.sim.LockKind;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimRwsem;
import org.vfiosim.sim.SimThread;
import org.vfiosim.workload.Scenario;

/** lockdep's class-order check: LOCK_ORDER findings for classes taken in both orders. */
class LockOrderTest {

  /** {@code outer_fn}: lock(first) [read when an rwsem], then calls {@code inner_fn}, unlock. */
  static final class Outer extends Frame {
    private final SimLock first;
    private final SimLock second;
    private final SimActor<Object> remote;

    Outer(SimLock first, SimLock second, SimActor<Object> remote) {
      this.first = first;
      this.second = second;
      this.remote = remote;
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          if (!(first instanceof SimRwsem r ? t.lockRead(r, CallSite.of("outer_fn")) : t.lock(first, CallSite.of("outer_fn")))) {
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
          if (remote != null) {
            t.send(remote, "take", 50);
          } else {
            t.call(new Inner(second));
          }
          return;
        case 3:
          if (first instanceof SimRwsem r) {
            t.unlockRead(r);
          } else {
            t.unlock(first);
          }
          t.ret(0);
          return;
        default:
          throw new IllegalStateException();
      }
    }

    @Override
    public String function() {
      return "outer_fn";
    }
  }

  /** {@code inner_fn}: lock, hold 10 cycles, unlock. */
  static final class Inner extends Frame {
    private final SimLock lock;

    Inner(SimLock lock) {
      this.lock = lock;
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          if (!t.lock(lock, CallSite.of("inner_fn"))) {
            return;
          }
          // fall through
        case 1:
          t.cost(10);
          t.unlock(lock);
          t.ret(0);
          return;
        default:
          throw new IllegalStateException();
      }
    }

    @Override
    public String function() {
      return "inner_fn";
    }
  }

  /** An actor whose handler is {@code inner_fn} on its lock. */
  static final class Taker extends SimActor<Object> {
    final SimLock lock;

    Taker(String name, SimLock lock) {
      super(name);
      this.lock = lock;
    }

    @Override
    protected Frame receive(SimThread t, Object msg) {
      return new Inner(lock);
    }
  }

  private static RunResult run(Model m, int threads) {
    Runner.Prepared base = Runner.prepare(ConfigLoader.home(), Path.of("conf/scenarios/mutex-bench.conf"),
        List.of(), null, null);
    return Runner.run(new Runner.Prepared(base.settings(), new Scenario(m, 0, List.of())), threads, null);
  }

  private static List<Finding> of(RunResult r, Finding.Kind k) {
    List<Finding> out = new ArrayList<>();
    for (Finding f : r.findings()) {
      if (f.kind() == k) {
        out.add(f);
      }
    }
    return out;
  }

  /** Thread one takes A then B at 0; thread two takes B then A at {@code secondStart}. */
  private static Model abba(long secondStart) {
    Model m = new Model(1);
    Domain d = m.domain("d");
    LockClass ca = m.lockClass("&a->lock", LockKind.MUTEX, 0, 0, 0);
    LockClass cb = m.lockClass("&b->lock", LockKind.MUTEX, 0, 0, 0);
    SimLock a = m.mutex(ca, "x", d);
    SimLock b = m.mutex(cb, "x", d);
    m.thread("one", d, new Outer(a, b, null), 0);
    m.thread("two", d, new Outer(b, a, null), secondStart);
    m.layout(1);
    return m;
  }

  @Test
  void classes_taken_in_both_orders_at_different_times_give_one_lock_order_finding_and_no_deadlock() {
    RunResult r = run(abba(10_000), 1);
    List<Finding> lo = of(r, Finding.Kind.LOCK_ORDER);
    assertThat(lo).hasSize(1);
    Finding f = lo.get(0);
    assertThat(f.vm()).isNull();
    assertThat(f.where()).isEqualTo("inner_fn");
    assertThat(f.message()).isEqualTo("possible circular locking dependency: "
        + "&b->lock taken while holding &a->lock at 0.033 us by one (outer_fn > inner_fn); "
        + "then &a->lock taken while holding &b->lock at 3.367 us by two (outer_fn > inner_fn)");
    assertThat(of(r, Finding.Kind.DEADLOCK)).isEmpty();
    assertThat(r.complete()).isTrue();
    assertThat(r.exitStatus()).isZero(); // LOCK_ORDER does not fail a run
    // the summary lays it out like lockdep: the headline, then one line per order with its stack
    assertThat(org.vfiosim.report.Summary.render(r, null)).contains(
        "  LOCK_ORDER inner_fn: possible circular locking dependency:\n"
            + "    &b->lock taken while holding &a->lock at 0.033 us by one (outer_fn > inner_fn)\n"
            + "    then &a->lock taken while holding &b->lock at 3.367 us by two (outer_fn > inner_fn)\n");
  }

  @Test
  void the_same_orders_overlapping_in_time_also_deadlock_and_fail_the_run() {
    RunResult r = run(abba(10), 1);
    assertThat(of(r, Finding.Kind.LOCK_ORDER)).hasSize(1);
    assertThat(of(r, Finding.Kind.DEADLOCK)).hasSize(1);
    assertThat(of(r, Finding.Kind.DEADLOCK).get(0).message()).contains("wait-for cycle").contains("one").contains("two");
    assertThat(r.exitStatus()).isEqualTo(1);
  }

  @Test
  void a_three_class_cycle_is_one_finding_ending_with_the_order_that_closed_it() {
    // one: A then B at 0; two: B then C at 10 000; three: C then A at 20 000 (no pair inverted)
    Model m = new Model(1);
    Domain d = m.domain("d");
    SimLock a = m.mutex(m.lockClass("A", LockKind.MUTEX, 0, 0, 0), "x", d);
    SimLock b = m.mutex(m.lockClass("B", LockKind.MUTEX, 0, 0, 0), "x", d);
    SimLock c = m.mutex(m.lockClass("C", LockKind.MUTEX, 0, 0, 0), "x", d);
    m.thread("one", d, new Outer(a, b, null), 0);
    m.thread("two", d, new Outer(b, c, null), 10_000);
    m.thread("three", d, new Outer(c, a, null), 20_000);
    m.layout(1);
    RunResult r = run(m, 1);
    List<Finding> lo = of(r, Finding.Kind.LOCK_ORDER);
    assertThat(lo).hasSize(1);
    assertThat(lo.get(0).message()).isEqualTo("possible circular locking dependency: "
        + "B taken while holding A at 0.033 us by one (outer_fn > inner_fn); "
        + "then C taken while holding B at 3.367 us by two (outer_fn > inner_fn); "
        + "then A taken while holding C at 6.700 us by three (outer_fn > inner_fn)");
    assertThat(of(r, Finding.Kind.DEADLOCK)).isEmpty();
    assertThat(r.exitStatus()).isZero();
    // a chain that does not close is no finding
    Model open = new Model(1);
    Domain e = open.domain("d");
    SimLock x = open.mutex(open.lockClass("A", LockKind.MUTEX, 0, 0, 0), "x", e);
    SimLock y = open.mutex(open.lockClass("B", LockKind.MUTEX, 0, 0, 0), "x", e);
    SimLock z = open.mutex(open.lockClass("C", LockKind.MUTEX, 0, 0, 0), "x", e);
    open.thread("one", e, new Outer(x, y, null), 0);
    open.thread("two", e, new Outer(y, z, null), 10_000);
    open.thread("three", e, new Outer(x, z, null), 20_000);
    open.layout(1);
    assertThat(run(open, 1).findings()).isEmpty();
  }

  @Test
  void one_order_only_is_no_finding() {
    Model m = new Model(1);
    Domain d = m.domain("d");
    SimLock a = m.mutex(m.lockClass("A", LockKind.MUTEX, 0, 0, 0), "x", d);
    SimLock b = m.mutex(m.lockClass("B", LockKind.MUTEX, 0, 0, 0), "x", d);
    m.thread("one", d, new Outer(a, b, null), 0);
    m.thread("two", d, new Outer(a, b, null), 5);
    m.layout(1);
    RunResult r = run(m, 1);
    assertThat(r.findings()).isEmpty();
  }

  @Test
  void a_read_acquisition_of_an_rwsem_counts_as_an_order() {
    Model m = new Model(1);
    Domain d = m.domain("d");
    SimRwsem mm = m.rwsem(m.lockClass("&mm->mmap_lock", LockKind.RWSEM, 0, 0, 0), "vm0", d);
    SimLock io = m.mutex(m.lockClass("&iommu->lock", LockKind.MUTEX, 0, 0, 0), "vm0", d);
    m.thread("one", d, new Outer(mm, io, null), 0);
    m.thread("two", d, new Outer(io, mm, null), 10_000);
    m.layout(1);
    // Outer on "two" takes iommu->lock then write-locks mmap_lock (Inner uses lock()): both orders seen
    List<Finding> lo = of(run(m, 1), Finding.Kind.LOCK_ORDER);
    assertThat(lo).hasSize(1);
    assertThat(lo.get(0).message()).contains("&iommu->lock taken while holding &mm->mmap_lock")
        .contains("&mm->mmap_lock taken while holding &iommu->lock");
  }

  /**
   * Domain p's thread holds P and calls q's actor (which takes Q); q's thread holds Q and calls p's
   * actor (which takes P). On two shards the calls run on proxies: the caller's held lock and
   * frames still count, so the finding is the same for any layout and any number of threads.
   */
  private static Model crossDomain(int shards) {
    Model m = new Model(10);
    Domain dp = m.domain("p");
    Domain dq = m.domain("q");
    SimLock lp = m.mutex(m.lockClass("P", LockKind.MUTEX, 5, 5, 5), "p", dp);
    SimLock lq = m.mutex(m.lockClass("Q", LockKind.MUTEX, 5, 5, 5), "q", dq);
    Taker tp = m.actor(new Taker("taker-p", lp), dp);
    Taker tq = m.actor(new Taker("taker-q", lq), dq);
    m.thread("tp", dp, new Outer(lp, null, tq), 0);
    m.thread("tq", dq, new Outer(lq, null, tp), 50_000);
    m.layout(shards);
    return m;
  }

  @Test
  void a_call_into_another_shard_carries_the_callers_held_locks() {
    RunResult one = run(crossDomain(1), 1);
    RunResult two = run(crossDomain(2), 2);
    List<Finding> lo = of(one, Finding.Kind.LOCK_ORDER);
    assertThat(lo).hasSize(1);
    assertThat(lo.get(0).message()).contains("Q taken while holding P").contains("by tp (outer_fn > inner_fn)")
        .contains("P taken while holding Q").contains("by tq (outer_fn > inner_fn)");
    assertThat(of(two, Finding.Kind.LOCK_ORDER)).isEqualTo(lo);
  }
}
