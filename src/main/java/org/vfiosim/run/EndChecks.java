package org.vfiosim.run;

import java.util.ArrayList;
import java.util.List;
import org.vfiosim.sim.Lockdep;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimSemaphore;
import org.vfiosim.sim.SimThread;

/**
 * Engine-level end-of-run checks that hold for every scenario: no simulated lock is left held, and
 * no simulated thread is left waiting forever. A thread stuck in a lock wait is a DEADLOCK finding,
 * reported as the wait-for chain (who holds what, who waits for what), like lockdep's report.
 */
public final class EndChecks {
  private EndChecks() {}

  /** What a run that ended by itself checks: the scenario's invariants, then no lock held and every thread finished. */
  public static List<Invariant> atEnd(List<Invariant> scenario, Model m) {
    List<Invariant> out = new ArrayList<>(scenario);
    out.add(noLockHeld(m));
    out.add(everyThreadFinished(m));
    return out;
  }

  /**
   * The engine's findings after a run: DEADLOCKs ({@code deadEnds} as in {@link #deadlocks(Model,
   * boolean)}) and LOCK_ORDER inversions ({@link #lockOrder}).
   */
  public static List<Finding> findings(Model m, boolean deadEnds, double cpuGhz) {
    List<Finding> out = new ArrayList<>(deadlocks(m, deadEnds));
    out.addAll(lockOrder(m, cpuGhz));
    return out;
  }

  public static Invariant noLockHeld(Model m) {
    return Invariant.of("no simulated lock held at the end", () -> {
      List<String> v = new ArrayList<>();
      for (SimLock l : m.locks()) {
        if (l.isHeld()) {
          v.add(l.displayName() + " still held by " + names(l.currentHolders()));
        }
      }
      return v;
    });
  }

  public static Invariant everyThreadFinished(Model m) {
    return Invariant.of("every simulated thread finished", () -> {
      List<String> v = new ArrayList<>();
      for (SimThread t : m.stuckThreads()) {
        v.add(t.name + " never finished (" + waitDescription(t) + ")");
      }
      return v;
    });
  }

  /**
   * DEADLOCK findings: one per wait-for cycle (threads queued behind a cycle are named in it), and
   * one per chain of waits that ends at a thread which is not runnable without being in a cycle.
   */
  public static List<Finding> deadlocks(Model m) {
    return deadlocks(m, true);
  }

  /**
   * As {@link #deadlocks(Model)}; {@code deadEnds} false for a run stopped mid-way: wait-for
   * cycles only (a cycle never resolves; a thread waiting behind a running one would have gone on).
   */
  public static List<Finding> deadlocks(Model m, boolean deadEnds) {
    List<SimThread> stuck = m.stuckThreads();
    // Where each stuck thread's chain of waits ends: a cycle (its first member) or a dead end.
    java.util.Map<SimThread, List<SimThread>> cycles = new java.util.LinkedHashMap<>();
    java.util.Map<SimThread, List<SimThread>> victims = new java.util.LinkedHashMap<>();
    java.util.Map<SimThread, List<SimThread>> ends = new java.util.LinkedHashMap<>();
    for (SimThread t : stuck) {
      List<SimThread> chain = new ArrayList<>();
      SimThread cur = t;
      int cycleStart = -1;
      while (cur != null) {
        int seen = chain.indexOf(cur);
        if (seen >= 0) {
          cycleStart = seen;
          break;
        }
        chain.add(cur);
        cur = cur.lockBlocker();
      }
      if (cycleStart >= 0) {
        List<SimThread> cycle = rotate(chain.subList(cycleStart, chain.size()));
        SimThread head = cycle.get(0);
        cycles.putIfAbsent(head, cycle);
        if (!cycle.contains(t)) {
          victims.computeIfAbsent(head, k -> new ArrayList<>()).add(t);
        }
      } else if (deadEnds && (chain.size() == 1 || !stuck.contains(chain.get(chain.size() - 1)))) {
        ends.put(t, chain);
      }
    }
    List<Finding> out = new ArrayList<>();
    cycles.forEach((head, cycle) -> {
      StringBuilder sb = new StringBuilder("wait-for cycle: ");
      describe(sb, cycle);
      List<SimThread> v = victims.get(head);
      if (v != null) {
        sb.append("; also blocked behind it: ").append(names(v));
      }
      out.add(new Finding(Finding.Kind.DEADLOCK, null, function(head), sb.toString()));
    });
    ends.forEach((t, chain) -> {
      StringBuilder sb = new StringBuilder("waits forever: ");
      describe(sb, chain);
      out.add(new Finding(Finding.Kind.DEADLOCK, null, function(t), sb.toString()));
    });
    return out;
  }

  /**
   * LOCK_ORDER findings (lockdep's "possible circular locking dependency"): one per pair of lock
   * classes taken in both orders during the run, and one per longer cycle of classes (A->B->C->A), whether or not the threads ever deadlocked,
   * naming both orders with the thread and call stack (outermost first) that first took each, at
   * its virtual time (µs at {@code cpuGhz}; cycles when it is 0, as op scripts count). {@code where}
   * is the function that closed the inversion.
   */
  public static List<Finding> lockOrder(Model m, double cpuGhz) {
    List<Finding> out = new ArrayList<>();
    for (Lockdep.Inversion inv : Lockdep.inversions(m)) {
      StringBuilder sb = new StringBuilder("possible circular locking dependency: ");
      List<Lockdep.Edge> edges = inv.edges();
      for (int i = 0; i < edges.size(); i++) {
        sb.append(i == 0 ? "" : "; then ");
        edge(sb, edges.get(i), cpuGhz);
      }
      String stack = inv.closing().stack();
      String where = stack.substring(stack.lastIndexOf('>') + 1).trim();
      out.add(new Finding(Finding.Kind.LOCK_ORDER, null, where.isEmpty() ? "?" : where, sb.toString()));
    }
    return out;
  }

  private static void edge(StringBuilder sb, Lockdep.Edge e, double cpuGhz) {
    sb.append(e.to().name).append(" taken while holding ").append(e.from().name)
        .append(cpuGhz > 0 ? String.format(java.util.Locale.ROOT, " at %.3f us by ", e.time() / (cpuGhz * 1000.0))
            : " at cycle " + e.time() + " by ")
        .append(e.thread()).append(" (").append(e.stack()).append(')');
  }

  /** The cycle starting at its lowest thread id, so the report does not depend on the entry point. */
  private static List<SimThread> rotate(List<SimThread> cycle) {
    int min = 0;
    for (int i = 1; i < cycle.size(); i++) {
      if (cycle.get(i).id < cycle.get(min).id) {
        min = i;
      }
    }
    List<SimThread> out = new ArrayList<>(cycle.subList(min, cycle.size()));
    out.addAll(cycle.subList(0, min));
    return out;
  }

  private static void describe(StringBuilder sb, List<SimThread> threads) {
    for (int i = 0; i < threads.size(); i++) {
      SimThread x = threads.get(i);
      if (i > 0) {
        sb.append("; ");
      }
      sb.append(x.name);
      if (x.heldCount() > 0) {
        sb.append(" holds ");
        for (int h = 0; h < x.heldCount(); h++) {
          sb.append(h == 0 ? "" : ", ").append(x.heldLock(h).displayName());
        }
        sb.append(" and");
      }
      sb.append(' ').append(waitDescription(x));
    }
  }

  private static String function(SimThread t) {
    return t.currentFrame() == null ? "?" : t.currentFrame().function();
  }

  private static String waitDescription(SimThread t) {
    SimLock l = t.waitingFor();
    if (l != null) {
      List<SimThread> h = l.currentHolders();
      return "waits for " + l.displayName() + (h.isEmpty() ? "" : " held by " + names(h));
    }
    if (t.awaitingReply()) {
      return "waits for a reply from another shard";
    }
    SimSemaphore s = t.waitingForSemaphore();
    return s != null ? "sleeps on " + s.name : "is not runnable";
  }

  private static String names(List<SimThread> ts) {
    StringBuilder sb = new StringBuilder();
    for (SimThread t : ts) {
      sb.append(sb.length() == 0 ? "" : ", ").append(t.name);
    }
    return sb.toString();
  }
}
