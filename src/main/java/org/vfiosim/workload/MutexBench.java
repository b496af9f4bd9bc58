package org.vfiosim.workload;

import org.vfiosim.sim.CallSite;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.LockClass;
import org.vfiosim.sim.LockKind;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.OpStats;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimThread;

/**
 * The engine's own check and a closed-queue lock experiment: {@code clients} threads loop
 * {@code iterations} times over "acquire {@code bench_mutex}, hold {@code hold} cycles, release,
 * think {@code think} cycles". No other costs. With {@code mutexes > 1} the clients are dealt
 * round-robin over that many independent mutexes (one domain each), which gives the engine
 * independent work to run in parallel.
 */
public final class MutexBench {
  public static final String LOCK_CLASS = "bench_mutex";
  public static final String OP = "mutex_lock";
  private static final CallSite SITE = CallSite.of("mutex_bench_client");

  /** Workload parameters ({@code vfiosim.workload.*}). */
  public record Params(int clients, long iterations, long holdCycles, long thinkCycles, int mutexes) {
    public Params {
      if (clients < 1 || iterations < 0 || holdCycles < 0 || thinkCycles < 0 || mutexes < 1) {
        throw new IllegalArgumentException("invalid mutex-bench parameters");
      }
    }
  }

  private MutexBench() {}

  /**
   * Virtual time the run ends at, from closed-queue analytics with deterministic times: a mutex
   * with n clients is saturated when n*hold >= hold+think, and a round then lasts n*hold.
   */
  public static long expectedEnd(Params p) {
    int groups = Math.min(p.mutexes(), p.clients());
    long n = (p.clients() + groups - 1) / groups;
    long round = Math.max(n * p.holdCycles(), p.holdCycles() + p.thinkCycles());
    return p.iterations() * round + p.thinkCycles();
  }

  public static void build(Model m, Params p) {
    LockClass cls = m.lockClass(LOCK_CLASS, LockKind.MUTEX, 0, 0, 0);
    int groups = Math.min(p.mutexes(), p.clients());
    Domain[] domains = new Domain[groups];
    SimMutex[] locks = new SimMutex[groups];
    for (int g = 0; g < groups; g++) {
      String owner = groups == 1 ? "bench" : "bench" + g;
      domains[g] = m.domain(owner);
      locks[g] = m.mutex(cls, owner, domains[g]);
    }
    int op = m.op(OP);
    for (int c = 0; c < p.clients(); c++) {
      int g = c % groups;
      m.thread("client" + c, domains[g], new Client(locks[g], p, op), 0);
    }
  }

  /** One client's loop. */
  static final class Client extends Frame {
    private final SimMutex lock;
    private final long iterations;
    private final long hold;
    private final long think;
    private final int op;
    private long i;
    private long requested;
    private OpStats stats;

    Client(SimMutex lock, Params p, int op) {
      this.lock = lock;
      this.iterations = p.iterations();
      this.hold = p.holdCycles();
      this.think = p.thinkCycles();
      this.op = op;
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          t.neverCrossDomain();
          stats = t.shard().op(op);
          pc = 1;
          // fall through
        case 1:
          if (i == iterations) {
            t.ret(0);
            return;
          }
          requested = t.now;
          pc = 2;
          if (!t.lock(lock, SITE)) {
            return;
          }
          // fall through
        case 2:
          stats.record(t.now - requested, 0, false);
          t.cost(hold);
          t.unlock(lock);
          t.cost(think);
          i++;
          pc = 1;
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "mutex_bench_client";
    }
  }
}
