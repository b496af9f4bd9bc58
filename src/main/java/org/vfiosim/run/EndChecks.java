package org.vfiosim.run;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimThread;

/**
 * Engine-level end-of-run checks that hold for every scenario: no simulated lock is left held, and
 * no simulated thread is left waiting forever. A thread stuck in a lock wait is a DEADLOCK finding,
 * reported as the wait-for chain (who holds what, who waits for what), like lockdep's report.
 */
public final class EndChecks {
  private EndChecks() {}

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

  /** DEADLOCK findings: one per wait-for cycle, or per chain ending in a thread that waits forever. */
  public static List<Finding> deadlocks(Model m) {
    List<Finding> out = new ArrayList<>();
    Set<SimThread> reported = new LinkedHashSet<>();
    for (SimThread t : m.stuckThreads()) {
      if (reported.contains(t)) {
        continue;
      }
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
        SimLock l = cur.waitingFor();
        cur = l == null ? null : firstOther(l.currentHolders(), cur);
      }
      List<SimThread> shown = cycleStart >= 0 ? chain.subList(cycleStart, chain.size()) : chain;
      reported.addAll(chain);
      StringBuilder sb = new StringBuilder(cycleStart >= 0 ? "wait-for cycle: " : "waits forever: ");
      for (int i = 0; i < shown.size(); i++) {
        SimThread x = shown.get(i);
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
      String where = t.currentFrame() == null ? "?" : t.currentFrame().function();
      out.add(new Finding(Finding.Kind.DEADLOCK, null, where, sb.toString()));
    }
    return out;
  }

  private static SimThread firstOther(List<SimThread> holders, SimThread self) {
    for (SimThread h : holders) {
      if (h != self) {
        return h;
      }
    }
    return null;
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
    return "is not runnable";
  }

  private static String names(List<SimThread> ts) {
    StringBuilder sb = new StringBuilder();
    for (SimThread t : ts) {
      sb.append(sb.length() == 0 ? "" : ", ").append(t.name);
    }
    return sb.toString();
  }
}
