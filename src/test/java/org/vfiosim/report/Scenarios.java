package org.vfiosim.report;

import java.util.ArrayList;
import java.util.List;
import org.vfiosim.sim.CallSite;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.LockClassStats;
import org.vfiosim.sim.LockKind;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimRwsem;
import org.vfiosim.sim.SimThread;

/**
 * Small engine runs whose every lockstat number is known by hand. Lock classes have zero acquire,
 * release and hand-off costs, so a waiter is granted exactly when the holder releases.
 */
final class Scenarios {
  private Scenarios() {}

  /** A thread's straight-line program: lock, cost, unlock steps. */
  static final class Script extends Frame {
    private final List<Object[]> steps = new ArrayList<>();
    private boolean started;

    Script lock(SimLock l, String site) {
      steps.add(new Object[] {"lock", l, CallSite.of(site)});
      return this;
    }

    Script lockRead(SimRwsem l, String site) {
      steps.add(new Object[] {"lockRead", l, CallSite.of(site)});
      return this;
    }

    Script unlock(SimLock l) {
      steps.add(new Object[] {"unlock", l});
      return this;
    }

    Script unlockRead(SimRwsem l) {
      steps.add(new Object[] {"unlockRead", l});
      return this;
    }

    Script cost(long cycles) {
      steps.add(new Object[] {"cost", cycles});
      return this;
    }

    /** lock, hold {@code cycles}, unlock. */
    Script hold(SimLock l, String site, long cycles) {
      return lock(l, site).cost(cycles).unlock(l);
    }

    Script holdRead(SimRwsem l, String site, long cycles) {
      return lockRead(l, site).cost(cycles).unlockRead(l);
    }

    @Override
    protected void run(SimThread t) {
      if (!started) {
        started = true;
        t.neverCrossDomain();
      }
      while (pc < steps.size()) {
        Object[] s = steps.get(pc++);
        switch ((String) s[0]) {
          case "lock" -> {
            if (!t.lock((SimLock) s[1], (CallSite) s[2])) {
              return;
            }
          }
          case "lockRead" -> {
            if (!t.lockRead((SimRwsem) s[1], (CallSite) s[2])) {
              return;
            }
          }
          case "unlock" -> t.unlock((SimLock) s[1]);
          case "unlockRead" -> t.unlockRead((SimRwsem) s[1]);
          case "cost" -> t.cost((Long) s[1]);
          default -> throw new IllegalStateException((String) s[0]);
        }
      }
      t.ret(0);
    }
  }

  /** A model with one domain; add locks and threads, then {@link #run}. */
  static final class Builder {
    final Model m = new Model(100);
    final Domain d = m.domain("host");

    SimLock mutex(String cls) {
      return m.mutex(m.lockClass(cls, LockKind.MUTEX, 0, 0, 0), "host", d);
    }

    SimLock spinlock(String cls) {
      return m.mutex(m.lockClass(cls, LockKind.SPINLOCK, 0, 0, 0), "host", d);
    }

    SimRwsem rwsem(String cls) {
      return m.rwsem(m.lockClass(cls, LockKind.RWSEM, 0, 0, 0), "host", d);
    }

    Script thread(String name, long start) {
      Script s = new Script();
      m.thread(name, d, s, start);
      return s;
    }

    List<LockClassStats> run() {
      m.layout(1);
      m.shards()[0].runUntil(Long.MAX_VALUE);
      if (!m.stuckThreads().isEmpty()) {
        throw new IllegalStateException("stuck: " + m.stuckThreads());
      }
      return LockClassStats.of(m);
    }
  }

  /** (a) One thread takes {@code &vfio.group_lock} twice: holds 3000 and 6000 cycles. */
  static List<LockClassStats> uncontendedMutex() {
    Builder b = new Builder();
    SimLock l = b.mutex("&vfio.group_lock");
    b.thread("qemu", 0).hold(l, "vfio_group_fops_unl_ioctl", 3000).cost(1000).hold(l, "vfio_group_fops_unl_ioctl", 6000);
    return b.run();
  }

  /**
   * (b) Four threads on one mutex (cpu = thread id). A holds [0, 9000); B asks at 6000, C at 7500,
   * D at 8100; FIFO grants at 9000 (B, holds 3000), 12000 (C, holds 1500), 13500 (D, holds 600).
   * Waits 3000, 4500, 5400 cycles; at 3 GHz 1000, 1500, 1800 ns. All three contend while A holds
   * the lock, so lockdep's {@code lock->ip} is A's site each time: contending point pin_pages x3.
   */
  static List<LockClassStats> contendedMutex() {
    Builder b = new Builder();
    SimLock l = b.mutex("&iommu->lock");
    b.thread("A", 0).hold(l, "vfio_iommu_type1_pin_pages", 9000);
    b.thread("B", 6000).hold(l, "vfio_iommu_type1_unpin_pages", 3000);
    b.thread("C", 7500).hold(l, "vfio_dma_do_map", 1500);
    b.thread("D", 8100).hold(l, "vfio_iommu_type1_unpin_pages", 600);
    return b.run();
  }

  /**
   * (c) An rwsem: W1 writes [0, 6000); R1 reads from 3000, R2 from 4500, both granted at 6000
   * (waits 3000 and 1500), hold 1500 and 3000; W2 asks at 6900, granted at 9000 when the last
   * reader leaves (wait 2100), holds 3000. Contending points: W1's site for R1 and R2, then R2's
   * (the last acquirer) for W2.
   */
  static List<LockClassStats> rwsem() {
    Builder b = new Builder();
    SimRwsem l = b.rwsem("&container->group_lock");
    b.thread("W1", 0).hold(l, "vfio_group_set_container", 6000);
    b.thread("R1", 3000).holdRead(l, "vfio_iommu_type1_pin_pages", 1500);
    b.thread("R2", 4500).holdRead(l, "vfio_pin_pages_remote", 3000);
    b.thread("W2", 6900).hold(l, "vfio_dma_do_unmap", 3000);
    return b.run();
  }

  static final String LONG_MUTEX = "&vfio_iommu_type1_long_class_name_mutex->lock";
  static final String LONG_RWSEM = "&vfio_container_long_class_name_rwsem->group_lock";
  static final String LONG_CALLER = "vfio_iommu_type1_dma_rw_chunk_with_a_really_long_function_name";

  /**
   * (d) Two classes with names over 37 characters, each contended once: a mutex (A holds
   * [0, 3000), B asks at 1500) and an rwsem (W writes [0, 3000), R reads from 1500). Every wait
   * is 1500 cycles, every hold 3000.
   */
  static List<LockClassStats> longNames() {
    Builder b = new Builder();
    SimLock m = b.mutex(LONG_MUTEX);
    SimRwsem r = b.rwsem(LONG_RWSEM);
    b.thread("A", 0).hold(m, "long_holder", 3000);
    b.thread("B", 1500).hold(m, LONG_CALLER, 3000);
    b.thread("W", 0).hold(r, "rw_writer", 3000);
    b.thread("R", 1500).holdRead(r, "long_reader", 3000);
    return b.run();
  }

  /**
   * (e) lock_stat time edges at 3 GHz. {@code edge_large}: A holds 299999999999970 cycles
   * (99999999999990 ns), B asks one cycle before the release (a 0 ns wait) and holds 3015 cycles
   * (1005 ns). {@code edge_small}: C holds 12 cycles (4 ns), then 3015 (1005 ns).
   */
  static List<LockClassStats> timeEdges() {
    Builder b = new Builder();
    SimLock large = b.mutex("edge_large");
    SimLock small = b.mutex("edge_small");
    b.thread("A", 0).hold(large, "edge_holder", 299_999_999_999_970L);
    b.thread("B", 299_999_999_999_969L).hold(large, "edge_waiter", 3015);
    b.thread("C", 0).hold(small, "edge_small_user", 12).hold(small, "edge_small_user", 3015);
    return b.run();
  }

  /**
   * (e) perf unit switches at 1 GHz (cycles = ns): one holder and one or two waiters per class.
   * Waits: u_ns 999, u_tie 999 (a spinlock), u_us 1005, u_ms 2000000 + 1500000 (same caller),
   * u_s 999999999 (a spinlock), u_m 60000000000, u_h 10^15.
   */
  static List<LockClassStats> perfUnits() {
    Builder b = new Builder();
    SimLock ns = b.mutex("u_ns");
    SimLock tie = b.spinlock("u_tie");
    SimLock us = b.mutex("u_us");
    SimLock ms = b.mutex("u_ms");
    SimLock s = b.spinlock("u_s");
    SimLock m = b.mutex("u_m");
    SimLock h = b.mutex("u_h");
    b.thread("ns0", 0).hold(ns, "holder", 1000);
    b.thread("ns1", 1).hold(ns, "caller_ns", 10);
    b.thread("tie0", 0).hold(tie, "holder", 1000);
    b.thread("tie1", 1).hold(tie, "another_999", 10);
    b.thread("us0", 0).hold(us, "holder", 2000);
    b.thread("us1", 995).hold(us, "caller_us", 10);
    b.thread("ms0", 0).hold(ms, "holder", 3_000_000);
    b.thread("ms1", 1_000_000).hold(ms, "caller_ms", 1_000_000);
    b.thread("ms2", 2_500_000).hold(ms, "caller_ms", 10);
    b.thread("s0", 0).hold(s, "holder", 1_000_000_000);
    b.thread("s1", 1).hold(s, "caller_s", 10);
    b.thread("m0", 0).hold(m, "holder", 60_000_000_001L);
    b.thread("m1", 1).hold(m, "caller_m", 10);
    b.thread("h0", 0).hold(h, "holder", 1_000_000_000_000_001L);
    b.thread("h1", 1).hold(h, "caller_h", 10);
    return b.run();
  }
}
