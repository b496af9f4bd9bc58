package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test model with cross-domain traffic: client threads in several domains each take a local mutex,
 * then call a host "registry" actor whose handler takes a global mutex (the shape of v5.6's
 * vfio.group_lock lookups). Its fingerprint must not depend on layout, threads or window size.
 */
final class RegistryModel {
  static final long HOP = 30;
  static final CallSite LOCAL = CallSite.of("client_local");
  static final CallSite GLOBAL = CallSite.of("registry_lookup");

  /** The host actor. */
  static final class Registry extends SimActor<Registry.Msg> {
    sealed interface Msg permits Lookup {}

    record Lookup(long work) implements Msg {}

    final SimMutex lock;

    Registry(Model m, Domain host) {
      super("registry");
      lock = m.mutex(m.lockClass("registry_lock", LockKind.MUTEX, 10, 5, 40), "host", host);
    }

    @Override
    protected Frame receive(SimThread t, Msg msg) {
      return new LookupFrame((Lookup) msg);
    }

    final class LookupFrame extends Frame {
      private final Lookup l;

      LookupFrame(Lookup l) {
        this.l = l;
      }

      @Override
      protected void run(SimThread t) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.lock(lock, GLOBAL)) {
              return;
            }
            // fall through
          case 1:
            t.cost(l.work());
            t.unlock(lock);
            t.ret(l.work());
            return;
          default:
            throw new IllegalStateException();
        }
      }
    }
  }

  /** A client thread's loop. */
  static final class Client extends Frame {
    private final Registry reg;
    private final SimMutex local;
    private final int iterations;
    private final SplittableRandom rnd;
    private final long quietUntil;
    private final int op;
    private int i;
    private long t0;

    Client(Registry reg, SimMutex local, int iterations, long seed, long quietUntil, int op) {
      this.reg = reg;
      this.local = local;
      this.iterations = iterations;
      this.rnd = new SplittableRandom(seed);
      this.quietUntil = quietUntil;
      this.op = op;
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          if (quietUntil > 0) {
            t.noCrossDomainBefore(quietUntil);
          }
          pc = 1;
          // fall through
        case 1:
          if (i == iterations) {
            t.ret(0);
            return;
          }
          t.cost(rnd.nextInt(200));
          pc = 2;
          if (!t.lock(local, LOCAL)) {
            return;
          }
          // fall through
        case 2:
          t.cost(20 + rnd.nextInt(100));
          t.unlock(local);
          if (t.now < quietUntil) {
            // local-only phase: no calls into the host domain yet
            i++;
            pc = 1;
            if (!t.sync()) {
              return;
            }
            return;
          }
          t0 = t.now;
          pc = 3;
          t.send(reg, new Registry.Lookup(5 + rnd.nextInt(60)), HOP);
          return;
        case 3:
          t.shard().op(op).record(t.now - t0, 1, t.retval < 0);
          i++;
          pc = 1;
          t.sleep(rnd.nextInt(300));
          return;
        default:
          throw new IllegalStateException();
      }
    }
  }

  static Model build(int domains, int threadsPerDomain, int iterations, long seed) {
    return build(domains, threadsPerDomain, iterations, seed, false);
  }

  /** @param hub declare the host a hub domain (per-shard safe times; see {@link Domain}) */
  static Model build(int domains, int threadsPerDomain, int iterations, long seed, boolean hub) {
    Model m = new Model(HOP);
    Domain host = m.domain("host");
    if (hub) {
      m.hub(host);
    }
    Registry reg = m.actor(new Registry(m, host), host);
    LockClass localCls = m.lockClass("local_lock", LockKind.MUTEX, 12, 4, 300);
    int op = m.op("registry_call");
    for (int d = 0; d < domains; d++) {
      Domain dom = m.domain("vm" + d);
      SimMutex local = m.mutex(localCls, "vm" + d, dom);
      for (int k = 0; k < threadsPerDomain; k++) {
        long quiet = (k % 2 == 1) ? 2_000 + 500L * d : 0;
        m.thread("vm" + d + "/t" + k, dom, new Client(reg, local, iterations, seed * 7919 + d * 31L + k, quiet, op), 
            (d * 13L + k * 7L) % 50);
      }
    }
    return m;
  }

  /** Every result-bearing figure of a finished model, as text. */
  static String fingerprint(Model m) {
    List<String> out = new ArrayList<>();
    for (SimThread t : m.threads()) {
      out.add(t.name + " done=" + t.isDone() + " now=" + t.now);
    }
    for (SimLock l : m.locks()) {
      LockModeStats s = l.writeStats();
      out.add(l.displayName() + " acq=" + s.acquisitions() + " con=" + s.contentions() + " wait=" + s.wait.total()
          + "/" + s.wait.max() + "/" + s.wait.min() + " hold=" + s.hold.total() + "/" + s.hold.max()
          + " bounces=" + s.conBounces() + "/" + s.acqBounces() + " points=" + l.contentionPoints(4)
          + l.contendingPoints(4));
    }
    m.opStats().forEach((k, v) -> out.add(k + " n=" + v.count() + " total=" + v.totalCycles() + " max=" + v.max()
        + " p99=" + v.percentile(99)));
    out.add("events=" + m.events() + " vt=" + m.virtualTime());
    return String.join("\n", out);
  }
}
