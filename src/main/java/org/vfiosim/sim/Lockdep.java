package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * lockdep's class-order graph for one shard ({@code kernel/locking/lockdep.c}: {@code
 * check_prev_add} records "prev held while next acquired" for every held class): one edge per
 * (held class, requested class) pair, read and write acquisitions of rwsems alike, recorded when the
 * request is made (before any wait, as {@code __lock_acquire} validates the chain before the lock is
 * taken). Edges are keyed by class ids in an n×n matrix, so a known edge costs one array read.
 *
 * <p>Each edge keeps its first occurrence in (virtual time, thread id, thread sequence) order and
 * the call stack of that occurrence; {@link #merge} takes the earliest over shards. Proxies (a call
 * from another shard) count their caller's held locks and frames, as the kernel's single thread
 * would: the graph is the same for any shard layout and any number of host threads.
 */
public final class Lockdep {
  private int n;
  /** First occurrence of edge {@code from * n + to}: virtual time (MAX_VALUE: never seen), tie key. */
  private long[] time;
  private long[] tie;
  private String[] thread;
  private String[] stack;

  Lockdep(int classes) {
    alloc(Math.max(1, classes));
  }

  private void alloc(int size) {
    n = size;
    time = new long[n * n];
    Arrays.fill(time, Long.MAX_VALUE);
    tie = new long[n * n];
    thread = new String[n * n];
    stack = new String[n * n];
  }

  /** Thread {@code t} requests a lock of class {@code to} at {@code t.now}: every held class gets an edge to it. */
  void acquire(SimThread t, int to) {
    if (to < 0) {
      return;
    }
    for (SimThread x = t; x != null; x = x.origin) {
      for (int i = 0, k = x.heldCount(); i < k; i++) {
        int from = x.heldLock(i).cls.id;
        if (from >= 0 && from != to) { // same class nested: lockdep's recursion check, not an order
          edge(from, to, t);
        }
      }
    }
  }

  private void edge(int from, int to, SimThread t) {
    if (from >= n || to >= n) {
      grow(Math.max(from, to) + 1);
    }
    int e = from * n + to;
    long now = t.now;
    if (now > time[e]) {
      return; // the common case: seen before
    }
    long k = Keys.of(t.id, t.seq);
    if (now == time[e] && k >= tie[e]) {
      return;
    }
    time[e] = now;
    tie[e] = k;
    thread[e] = t.name;
    stack[e] = stackOf(t);
  }

  private void grow(int size) {
    int old = n;
    long[] ot = time;
    long[] ok = tie;
    String[] oth = thread;
    String[] os = stack;
    alloc(Math.max(size, 2 * old));
    for (int a = 0; a < old; a++) {
      for (int b = 0; b < old; b++) {
        int from = a * old + b;
        int into = a * n + b;
        time[into] = ot[from];
        tie[into] = ok[from];
        thread[into] = oth[from];
        stack[into] = os[from];
      }
    }
  }

  /** The function names of {@code t}'s frames, outermost first, its callers' (other shards) before it. */
  static String stackOf(SimThread t) {
    List<String> inner = new ArrayList<>();
    for (SimThread x = t; x != null; x = x.origin) {
      for (Frame f = x.currentFrame(); f != null; f = f.caller) {
        inner.add(f.function());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = inner.size() - 1; i >= 0; i--) {
      sb.append(sb.length() == 0 ? "" : " > ").append(inner.get(i));
    }
    return sb.toString();
  }

  /** One class-order edge with its first occurrence. */
  public record Edge(LockClass from, LockClass to, long time, String thread, String stack) {}

  /** A pair of classes taken in both orders: {@code first} is the edge seen first. */
  public record Inversion(Edge first, Edge second) {}

  /** The class-order graph of a whole model: per-shard edges merged, earliest occurrence kept. */
  public record Graph(List<Edge> edges, List<Inversion> inversions) {}

  /**
   * Merges the shards' graphs in shard order, keeping each edge's earliest occurrence by (time,
   * thread id, sequence): a total order, so the result does not depend on the layout.
   */
  public static Graph merge(Model m) {
    List<LockClass> classes = new ArrayList<>(m.lockClasses().values());
    int c = classes.size();
    long[] time = new long[c * c];
    Arrays.fill(time, Long.MAX_VALUE);
    long[] tie = new long[c * c];
    String[] thread = new String[c * c];
    String[] stack = new String[c * c];
    for (Shard s : m.shards()) {
      Lockdep d = s.lockdep;
      for (int a = 0; a < Math.min(c, d.n); a++) {
        for (int b = 0; b < Math.min(c, d.n); b++) {
          int e = a * d.n + b;
          int into = a * c + b;
          if (d.time[e] == Long.MAX_VALUE || Keys.before(time[into], tie[into], d.time[e], d.tie[e])) {
            continue;
          }
          time[into] = d.time[e];
          tie[into] = d.tie[e];
          thread[into] = d.thread[e];
          stack[into] = d.stack[e];
        }
      }
    }
    List<Edge> edges = new ArrayList<>();
    Edge[] byIndex = new Edge[c * c];
    for (int a = 0; a < c; a++) {
      for (int b = 0; b < c; b++) {
        int e = a * c + b;
        if (time[e] != Long.MAX_VALUE) {
          byIndex[e] = new Edge(classes.get(a), classes.get(b), time[e], thread[e], stack[e]);
          edges.add(byIndex[e]);
        }
      }
    }
    List<Inversion> inv = new ArrayList<>();
    for (int a = 0; a < c; a++) {
      for (int b = a + 1; b < c; b++) {
        Edge ab = byIndex[a * c + b];
        Edge ba = byIndex[b * c + a];
        if (ab != null && ba != null) {
          boolean abFirst = Keys.before(ab.time(), tie[a * c + b], ba.time(), tie[b * c + a]);
          inv.add(abFirst ? new Inversion(ab, ba) : new Inversion(ba, ab));
        }
      }
    }
    return new Graph(edges, inv);
  }
}
