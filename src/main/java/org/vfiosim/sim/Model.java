package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a run simulates: domains, actors, threads, locks, and the op registry. A scenario
 * builds it; {@link #layout} assigns whole domains to shards; the engine runs the shards.
 *
 * <p>Results never depend on the layout: ids and tie-break keys come from the build order, and
 * messages between domains cost the same whether or not they cross a shard.
 */
public final class Model {
  private final List<Domain> domains = new ArrayList<>();
  private final List<SimActor<?>> actors = new ArrayList<>();
  private final List<SimThread> threads = new ArrayList<>();
  private final List<SimLock> locks = new ArrayList<>();
  private final List<AtomicVar> atomics = new ArrayList<>();
  private final Map<String, LockClass> lockClasses = new LinkedHashMap<>();
  private final List<String> opNames = new ArrayList<>();
  private final Map<String, Integer> opIds = new HashMap<>();
  private final Map<String, SimLock> locksByName = new HashMap<>();
  private final long lookahead;
  private Shard[] shards;

  /** @param lookahead minimum latency of a message between domains, in cycles (at least 1) */
  public Model(long lookahead) {
    if (lookahead < 1) {
      throw new IllegalArgumentException("lookahead must be at least 1 cycle");
    }
    this.lookahead = lookahead;
  }

  public long lookahead() {
    return lookahead;
  }

  // ---------------------------------------------------------------- building

  public Domain domain(String name) {
    Domain d = new Domain(name, domains.size());
    domains.add(d);
    return d;
  }

  /**
   * Declares {@code d} a hub: from now on cross-domain calls may only go to hub domains, and
   * threads of a hub domain (the proxies running calls there) may not call out.
   */
  public void hub(Domain d) {
    if (shards != null) {
      throw new IllegalStateException("hub " + d + " declared after layout()");
    }
    d.hub = true;
    hasHubs = true;
  }

  /** Whether any domain is a hub (see {@link #hub}). */
  public boolean hasHubs() {
    return hasHubs;
  }

  private boolean hasHubs;

  public <A extends SimActor<?>> A actor(A a, Domain d) {
    if (shards != null) {
      throw new IllegalStateException(a.name + " registered after layout()");
    }
    if (a.id >= 0) {
      throw new IllegalStateException(a.name + " registered twice");
    }
    a.id = actors.size();
    a.domain = d;
    actors.add(a);
    return a;
  }

  /** A simulated thread in domain {@code d} that starts running {@code entry} at {@code start}. */
  public SimThread thread(String name, Domain d, Frame entry, long start) {
    if (shards != null) {
      throw new IllegalStateException(name + " created after layout()");
    }
    SimThread t = new SimThread(threads.size(), name, d, false);
    t.top = entry;
    t.now = start;
    t.wakeTime = start;
    threads.add(t);
    return t;
  }

  /** An idle thread in domain {@code d}: it runs nothing until {@link SimThread#start}. */
  public SimThread idleThread(String name, Domain d) {
    if (shards != null) {
      throw new IllegalStateException(name + " created after layout()");
    }
    SimThread t = new SimThread(threads.size(), name, d, false);
    t.state = SimThread.DONE;
    threads.add(t);
    return t;
  }

  public LockClass lockClass(String name, LockKind kind, long acquire, long release, long handoff) {
    LockClass c = lockClasses.get(name);
    if (c != null) {
      if (c.kind != kind || c.acquireCycles != acquire || c.releaseCycles != release || c.handoffCycles != handoff) {
        throw new IllegalArgumentException("lock class " + name + " declared twice with different settings");
      }
      return c;
    }
    c = new LockClass(name, kind, acquire, release, handoff);
    c.id = lockClasses.size();
    lockClasses.put(name, c);
    return c;
  }

  /** A mutex or spinlock instance of class {@code c} owned by {@code owner}. */
  public SimMutex mutex(LockClass c, String owner, Domain d) {
    return register(new SimMutex(c, owner, d));
  }

  public SimRwsem rwsem(LockClass c, String owner, Domain d) {
    return register(new SimRwsem(c, owner, d));
  }

  /** The run-time mutexes of class {@code c} owned by {@code owner} ({@link SimMutexSet}), reported as one instance. */
  public SimMutexSet mutexSet(LockClass c, String owner, Domain d) {
    return register(new SimMutexSet(c, owner, d));
  }

  private <L extends SimLock> L register(L l) {
    String key = l.displayName();
    if (locksByName.putIfAbsent(key, l) != null) {
      throw new IllegalArgumentException("duplicate lock instance " + key);
    }
    l.id = locks.size();
    locks.add(l);
    return l;
  }

  public AtomicVar atomic(String name, long rmw, long bounce, long initial) {
    AtomicVar v = new AtomicVar(name, rmw, bounce, initial);
    atomics.add(v);
    return v;
  }

  /** Registers (or finds) an op name; the id indexes per-shard statistics. */
  public int op(String name) {
    Integer id = opIds.get(name);
    if (id == null) {
      id = opNames.size();
      opNames.add(name);
      opIds.put(name, id);
    }
    return id;
  }

  String opName(int id) {
    return opNames.get(id);
  }

  public List<String> opNames() {
    return Collections.unmodifiableList(opNames);
  }

  // ---------------------------------------------------------------- layout

  /** Shards of an automatic layout at most: more only add window overhead on any host we run on. */
  public static final int AUTO_MAX_SHARDS = 64;

  /**
   * Assigns domains to at most {@code maxShards} shards, in build order, balancing the number of
   * threads, and schedules every thread's start. {@code maxShards <= 0} means one shard per domain,
   * at most {@link #AUTO_MAX_SHARDS}. The layout never changes a result.
   */
  public void layout(int maxShards) {
    if (shards != null) {
      throw new IllegalStateException("already laid out");
    }
    int n = Math.max(1, Math.min(maxShards <= 0 ? AUTO_MAX_SHARDS : maxShards, domains.size()));
    shards = new Shard[n];
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard(i, this);
    }
    int[] load = new int[domains.size()];
    for (SimThread t : threads) {
      load[t.domain.index]++;
    }
    long total = 0;
    for (int l : load) {
      total += Math.max(1, l);
    }
    long acc = 0;
    for (Domain d : domains) {
      int s = (int) Math.min(n - 1, acc * n / Math.max(1, total));
      shards[s].addDomain(d);
      acc += Math.max(1, load[d.index]);
    }
    for (SimActor<?> a : actors) {
      a.shard = a.domain.shard;
    }
    int hubs = 0;
    for (Domain d : domains) {
      hubs += d.hub ? 1 : 0;
    }
    for (Shard sh : shards) {
      int here = 0;
      for (Domain d : sh.domains()) {
        here += d.hub ? 1 : 0;
      }
      sh.containsHub = here > 0;
      sh.containsAllHubs = hasHubs && here == hubs;
    }
    for (SimThread t : threads) {
      Shard s = t.domain.shard;
      s.addThread(t);
      if (t.top != null) {
        s.schedule(t, t.wakeTime, t.nextKey());
      }
    }
  }

  public Shard[] shards() {
    if (shards == null) {
      throw new IllegalStateException("not laid out");
    }
    return shards;
  }

  // ---------------------------------------------------------------- lookups

  SimActor<?> actor(int id) {
    return actors.get(id);
  }

  public List<SimActor<?>> actors() {
    return Collections.unmodifiableList(actors);
  }

  public List<Domain> domains() {
    return Collections.unmodifiableList(domains);
  }

  public List<SimThread> threads() {
    return Collections.unmodifiableList(threads);
  }

  public List<SimLock> locks() {
    return Collections.unmodifiableList(locks);
  }

  public List<AtomicVar> atomics() {
    return Collections.unmodifiableList(atomics);
  }

  public Map<String, LockClass> lockClasses() {
    return Collections.unmodifiableMap(lockClasses);
  }

  /** The lock instance printed as {@code "CLASS OWNER"}, or null. */
  public SimLock lock(String cls, String owner) {
    return locksByName.get(cls + " " + owner);
  }

  // ---------------------------------------------------------------- totals

  public long events() {
    long e = 0;
    for (Shard s : shards()) {
      e += s.events();
    }
    return e;
  }

  /** Op statistics summed over shards, by op name, in registration order. */
  public Map<String, OpStats> opStats() {
    Map<String, OpStats> out = new LinkedHashMap<>();
    for (int id = 0; id < opNames.size(); id++) {
      OpStats sum = new OpStats(opNames.get(id));
      boolean any = false;
      for (Shard s : shards()) {
        OpStats[] raw = s.opsRaw();
        if (id < raw.length && raw[id] != null) {
          sum.merge(raw[id]);
          any = true;
        }
      }
      if (any) {
        out.put(opNames.get(id), sum);
      }
    }
    return out;
  }

  /** Threads blocked forever at the end of a run (a lock wait, or a reply that never came). */
  public List<SimThread> stuckThreads() {
    List<SimThread> out = new ArrayList<>();
    for (Shard s : shards()) {
      out.addAll(s.stuckThreads());
    }
    out.sort((a, b) -> Integer.compare(a.id, b.id));
    return out;
  }

  /**
   * Whether some threads wait for each other's locks in a cycle (a deadlock: none of them can ever
   * run again). Follows each lock waiter to a holder of its lock, like lockdep's report.
   */
  public boolean hasLockWaitCycle() {
    java.util.IdentityHashMap<SimThread, Boolean> done = new java.util.IdentityHashMap<>();
    for (SimThread t : stuckThreads()) {
      java.util.IdentityHashMap<SimThread, Boolean> path = new java.util.IdentityHashMap<>();
      SimThread cur = t;
      while (cur != null && !done.containsKey(cur)) {
        if (path.put(cur, Boolean.TRUE) != null) {
          return true;
        }
        cur = cur.lockBlocker();
      }
      done.putAll(path);
    }
    return false;
  }

  /** Latest virtual time any shard reached. */
  public long virtualTime() {
    long t = 0;
    for (Shard s : shards()) {
      t = Math.max(t, s.clock);
    }
    for (SimThread th : threads) {
      if (th.state == SimThread.DONE) {
        t = Math.max(t, th.now);
      }
    }
    return t;
  }
}
