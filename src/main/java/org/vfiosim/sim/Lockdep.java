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

  /**
   * Lock classes taken in a circular order: A->B and B->A, or a longer cycle A->B->C->A. The edges
   * go round the cycle and end with the one seen last (the acquisition that closed the cycle).
   */
  public record Inversion(List<Edge> edges) {
    /** The edge that closed the cycle. */
    public Edge closing() {
      return edges.get(edges.size() - 1);
    }
  }

  /** Longest cycle looked for beyond pairs, and how many such cycles are reported at most. */
  static final int MAX_CYCLE = 6;
  static final int MAX_LONG_CYCLES = 32;

  /**
   * The inversions of a whole model's class-order graph: the shards' graphs merged in shard order,
   * each edge's earliest occurrence kept by (time, thread id, sequence), a total order, so the
   * result does not depend on the layout.
   */
  public static List<Inversion> inversions(Model m) {
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
    Edge[] byIndex = new Edge[c * c];
    for (int a = 0; a < c; a++) {
      for (int b = 0; b < c; b++) {
        int e = a * c + b;
        if (time[e] != Long.MAX_VALUE) {
          byIndex[e] = new Edge(classes.get(a), classes.get(b), time[e], thread[e], stack[e]);
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
          inv.add(new Inversion(abFirst ? List.of(ab, ba) : List.of(ba, ab)));
        }
      }
    }
    // check_noncircular() follows any path: elementary cycles of 3..MAX_CYCLE classes, each found
    // once (from its lowest class index, through higher ones only), in class order
    int[] path = new int[MAX_CYCLE];
    int limit = inv.size() + MAX_LONG_CYCLES;
    for (int start = 0; start < c && inv.size() < limit; start++) {
      path[0] = start;
      longCycles(byIndex, tie, c, path, 1, inv, limit);
    }
    return inv;
  }

  private static void longCycles(Edge[] byIndex, long[] tie, int c, int[] path, int len, List<Inversion> out,
      int limit) {
    if (out.size() >= limit) {
      return;
    }
    int last = path[len - 1];
    int start = path[0];
    if (len >= 3 && byIndex[last * c + start] != null) {
      // the cycle's edges in order, rotated to end with the one seen last
      int[] idx = new int[len];
      int latest = 0;
      for (int i = 0; i < len; i++) {
        idx[i] = path[i] * c + path[(i + 1) % len];
        if (Keys.before(byIndex[idx[latest]].time(), tie[idx[latest]], byIndex[idx[i]].time(), tie[idx[i]])) {
          latest = i;
        }
      }
      List<Edge> cycle = new ArrayList<>(len);
      for (int i = 1; i <= len; i++) {
        cycle.add(byIndex[idx[(latest + i) % len]]);
      }
      out.add(new Inversion(List.copyOf(cycle)));
    }
    if (len == path.length) {
      return;
    }
    for (int next = start + 1; next < c; next++) {
      if (byIndex[last * c + next] == null || contains(path, len, next)) {
        continue;
      }
      path[len] = next;
      longCycles(byIndex, tie, c, path, len + 1, out, limit);
    }
  }

  private static boolean contains(int[] path, int len, int x) {
    for (int i = 0; i < len; i++) {
      if (path[i] == x) {
        return true;
      }
    }
    return false;
  }
}
