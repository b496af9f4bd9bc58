package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * A logical process: one or more whole {@link Domain}s run as a sequential discrete-event loop.
 * The {@code ShardActor} (Akka Typed) drives it one window at a time; windows of different shards
 * run in parallel. Within a window events run in (time, source, sequence) order.
 */
public final class Shard {
  public final int index;
  final Model model;
  final EventHeap heap = new EventHeap();
  long windowEnd = Long.MAX_VALUE;
  /** End of the last window run: every later message must arrive at or after it. */
  private long grantedEnd = Long.MIN_VALUE;
  /** Whether this shard runs a hub domain, and all of them (see {@link Domain}). */
  boolean containsHub;
  boolean containsAllHubs;
  /** Virtual time of the event being processed (or of the last one). */
  long clock;
  /** Simulated events: messages between actors, and lock grants. */
  long messages;
  long grants;

  /** Threads that may call another domain (proxies too, unless the model has hubs). */
  private final ArrayList<SimThread> crossCapable = new ArrayList<>();
  /** Live proxies (calls from other shards being run here) by the shard they will reply to. */
  private int[] proxiesByOrigin;
  private int liveProxies;
  /** This shard's own threads by id (replies find their thread here); null elsewhere. */
  private SimThread[] threadsById = new SimThread[0];
  private final List<SimThread> threads = new ArrayList<>();
  private final List<Domain> domains = new ArrayList<>();
  private ArrayList<CrossMessage> outbox = new ArrayList<>();
  /** The list {@link #drainOutbox} handed out last: the outbox after the next report. */
  private ArrayList<CrossMessage> outboxSpare = new ArrayList<>();
  private OpStats[] ops = new OpStats[16];
  /** The two arrays {@link #replyEot} alternates between, and the one it fills next. */
  private final long[][] replyEotBuf = new long[2][];
  private int replyEotFlip;
  /** Trace recorder, or null when the run does not trace. */
  TraceBuffer trace;
  /** Class-order edges seen by this shard's threads. */
  final Lockdep lockdep;

  Shard(int index, Model model) {
    this.index = index;
    this.model = model;
    this.lockdep = new Lockdep(model.lockClasses().size());
  }

  // ---------------------------------------------------------------- building

  void addDomain(Domain d) {
    domains.add(d);
    d.shard = this;
  }

  void addThread(SimThread t) {
    t.shard = this;
    threads.add(t);
    if (t.id >= threadsById.length) {
      threadsById = java.util.Arrays.copyOf(threadsById, Math.max(t.id + 1, threadsById.length * 2));
    }
    threadsById[t.id] = t;
    if (t.crossHorizon != Long.MAX_VALUE) {
      crossCapable.add(t);
    }
  }

  List<Domain> domains() {
    return domains;
  }

  List<SimThread> threads() {
    return threads;
  }

  // ---------------------------------------------------------------- the event loop

  void schedule(SimThread t, long time, long key) {
    if (time < clock) {
      throw new SimulationError(t.name + " scheduled at " + time + " before the shard clock " + clock);
    }
    t.wakeTime = time;
    t.wakeKey = key;
    t.state = SimThread.READY;
    heap.push(time, key, t);
  }

  /** Whether an operation at (time, key) would be this shard's next event anyway. */
  boolean canInline(long time, long key) {
    return time < windowEnd
        && (heap.isEmpty() || Keys.before(time, key, heap.peekTime(), heap.peekKey()));
  }

  /** Runs every event before {@code end}. */
  public void runUntil(long end) {
    windowEnd = end;
    grantedEnd = Math.max(grantedEnd, end);
    EventHeap h = heap;
    SimThread t = null;
    try {
      while (!h.isEmpty() && h.peekTime() < end) {
        t = h.pop();
        clock = t.wakeTime;
        t.wake();
      }
    } catch (RuntimeException | StackOverflowError e) {
      // a frame threw (an injected actor crash, or a bug in the model): say where, stop the shard
      if (t == null || e instanceof SimulationFailure) {
        throw e;
      }
      throw SimulationFailure.of(this, t, e);
    }
  }

  /** Time of the next event, or {@code Long.MAX_VALUE}. */
  public long nextEventTime() {
    return heap.isEmpty() ? Long.MAX_VALUE : heap.peekTime();
  }

  /**
   * Earliest virtual time at which a thread of this shard may call another domain (ignoring
   * messages still to be delivered here): a ready thread at its wake-up time, a blocked one at
   * this shard's next event, never before the thread's promised horizon. Threads waiting for a
   * reply cannot call until it arrives. {@code Long.MAX_VALUE}: no thread ever will.
   */
  public long callEot() {
    long tnext = nextEventTime();
    long eot = Long.MAX_VALUE;
    ArrayList<SimThread> list = crossCapable;
    int n = list.size();
    for (int i = 0; i < n; ) {
      SimThread t = list.get(i);
      if (t.state == SimThread.DONE || t.crossHorizon == Long.MAX_VALUE) {
        // never calls again: swap-remove (the minimum does not depend on the order)
        list.set(i, list.get(--n));
        list.remove(n);
        continue;
      }
      i++;
      if (t.state == SimThread.REMOTE) {
        continue;
      }
      long earliest = t.state == SimThread.READY ? t.wakeTime : tnext;
      eot = Math.min(eot, Math.max(earliest, t.crossHorizon));
      if (eot <= tnext) {
        break; // nothing here can call before the next event
      }
    }
    return eot;
  }

  /**
   * For each origin shard, the earliest time a proxy here may reply to it (null: no proxies): this
   * shard's next event for every origin with a live proxy. (A ready proxy's own wake-up time would
   * be later; finding it would cost a walk over every proxy, thousands when 4096 VMs queue on
   * vfio.group_lock, for little.)
   *
   * <p>The array is one of two this shard alternates between (once per window report): it stays
   * valid until the next-but-one call, i.e. while the time keeper still reads the previous report
   * during the next window.
   */
  public long[] replyEot() {
    if (liveProxies == 0) {
      return null;
    }
    long tnext = nextEventTime();
    long[] out = replyEotBuf[replyEotFlip];
    if (out == null) {
      out = new long[proxiesByOrigin.length];
      replyEotBuf[replyEotFlip] = out;
    }
    replyEotFlip ^= 1;
    for (int o = 0; o < out.length; o++) {
      out[o] = proxiesByOrigin[o] > 0 ? tnext : Long.MAX_VALUE;
    }
    return out;
  }

  void crossHorizonChanged(SimThread t) {
    // Only raising is allowed (see SimThread.noCrossDomainBefore); the list is pruned lazily.
  }

  void threadDone(SimThread t) {
    if (t.proxy) {
      proxiesByOrigin[t.originShard]--;
      liveProxies--;
    }
  }

  // ---------------------------------------------------------------- cross-shard traffic

  void checkCrossDomain(SimThread t, Domain dest, long latency) {
    if (model.hasHubs()) {
      if (!dest.hub) {
        throw new SimulationError(t.name + " calls domain " + dest + ", which is not a hub (the model declares hubs)");
      }
      if (t.domain.hub) {
        throw new SimulationError(t.name + " calls domain " + dest + " from hub domain " + t.domain);
      }
    }
    if (t.now < t.crossHorizon) {
      throw new SimulationError(t.name + " messages domain " + dest + " at " + t.now
          + " but promised not to before " + t.crossHorizon);
    }
    if (latency < model.lookahead()) {
      throw new SimulationError(t.name + " messages domain " + dest + " with latency " + latency
          + " below the lookahead " + model.lookahead());
    }
  }

  void postCall(SimThread t, SimActor<?> a, Object msg, long latency, long key) {
    outbox.add(new CrossMessage(false, t.now, key, a.shard.index, a.id, t.id, t.name, index, t.seq, msg, latency, 0, t));
  }

  void postReply(SimThread proxy, long key) {
    outbox.add(new CrossMessage(true, proxy.now, key, proxy.originShard, -1, proxy.id, proxy.name, index, proxy.seq,
        proxy.retobj, 0, proxy.retval, null));
  }

  /**
   * Takes the messages this shard sent to other shards during the last window. The shard
   * alternates between two lists: the one returned stays valid until the next-but-one call (the
   * time keeper copies the messages out before it starts the shard's next window).
   */
  public List<CrossMessage> drainOutbox() {
    if (outbox.isEmpty()) {
      return List.of();
    }
    ArrayList<CrossMessage> out = outbox;
    outbox = outboxSpare;
    outbox.clear();
    outboxSpare = out;
    return out;
  }

  /** Schedules messages that other shards sent here. */
  public void deliver(List<CrossMessage> inbound) {
    for (int i = 0, k = inbound.size(); i < k; i++) { // indexed: no iterator per window
      CrossMessage m = inbound.get(i);
      if (m.time() < grantedEnd) {
        throw new SimulationError("message from " + m.threadName() + " arrives at " + m.time()
            + ", inside a window already run up to " + grantedEnd + " (lookahead violated)");
      }
      if (m.reply()) {
        SimThread t = m.thread() < threadsById.length ? threadsById[m.thread()] : null;
        if (t == null || t.state != SimThread.REMOTE) {
          throw new SimulationError("reply for thread " + m.threadName() + " which is not waiting for one");
        }
        t.retval = m.retval();
        t.retobj = m.payload();
        t.seq = m.seq();
        schedule(t, m.time(), m.key());
      } else {
        SimActor<?> a = model.actor(m.destActor());
        SimThread p = new SimThread(m.thread(), m.threadName(), a.domain, true);
        p.originShard = m.originShard();
        p.origin = m.caller();
        p.seq = m.seq();
        p.shard = this;
        if (proxiesByOrigin == null) {
          proxiesByOrigin = new int[model.shards().length];
        }
        proxiesByOrigin[p.originShard]++;
        liveProxies++;
        if (!model.hasHubs()) {
          crossCapable.add(p); // without hubs a proxy may call on
        }
        p.startProxy(a, m.payload(), m.latency());
        schedule(p, m.time(), m.key());
      }
    }
  }

  // ---------------------------------------------------------------- statistics

  /** This shard's statistics for the op registered under {@code id}. */
  public OpStats op(int id) {
    if (id >= ops.length) {
      ops = java.util.Arrays.copyOf(ops, Math.max(id + 1, ops.length * 2));
    }
    OpStats s = ops[id];
    if (s == null) {
      s = new OpStats(model.opName(id));
      ops[id] = s;
    }
    return s;
  }

  /** The name an op id was registered under. */
  public String opName(int id) {
    return model.opName(id);
  }

  OpStats[] opsRaw() {
    return ops;
  }

  /** Records spans into a buffer of at most {@code limit} events (call before the run). */
  public void enableTrace(int limit) {
    trace = new TraceBuffer(limit);
  }

  /** Records an entry point's span when tracing. */
  public void traceOp(SimThread t, String op, long start, long end) {
    if (trace != null) {
      trace.add(TraceEvent.Kind.OP, start, end, t, op, "");
    }
  }

  public long messages() {
    return messages;
  }

  public long grants() {
    return grants;
  }

  public long events() {
    return messages + grants;
  }

  /** Threads that are neither done nor scheduled: blocked in a lock or waiting for a reply. */
  List<SimThread> stuckThreads() {
    List<SimThread> out = new ArrayList<>();
    for (SimThread t : threads) {
      if (t.state == SimThread.BLOCKED || t.state == SimThread.REMOTE) {
        out.add(t);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "shard-" + index;
  }
}
