package org.vfiosim.sim;

import java.util.Arrays;

/**
 * A simulated thread of control: a QEMU ioctl thread, a GVT workload kthread, a benchmark client.
 * It runs a stack of {@link Frame}s in virtual time on its shard's event loop.
 *
 * <p>{@link #now} is the thread's own clock. Pure cost ({@link #cost}) only moves it forward;
 * synchronising operations (locks, atomics, messages, sleeps) happen at {@code now} in global
 * (time, source, sequence) order. When such an operation would be the next event of the shard
 * anyway it runs at once ("run-ahead"); otherwise the thread yields and is woken at that time.
 * Both paths consume the same sequence numbers, so the optimisation never changes a result.
 */
public final class SimThread {
  static final byte NEW = 0;
  static final byte READY = 1;
  static final byte RUNNING = 2;
  static final byte BLOCKED = 3;
  static final byte REMOTE = 4;
  static final byte DONE = 5;

  private static final byte P_NONE = 0;
  private static final byte P_ACQUIRE = 1;
  private static final byte P_DELIVER = 2;
  private static final byte P_DOWN = 3;
  private static final byte P_UP = 4;
  private static final byte P_WAKE_ALL = 5;

  static final byte MODE_WRITE = 0;
  static final byte MODE_READ = 1;

  public final int id;
  public final String name;
  /** The actor domain the thread lives in (its home). */
  public final Domain domain;
  /** Simulated CPU, for cache-line bounce accounting. */
  public int cpu;

  Shard shard;
  /** Proxy threads run a remote call on behalf of a thread of another shard. */
  final boolean proxy;
  int originShard = -1;
  /**
   * A proxy's calling thread (on another shard, waiting for the reply): lockdep counts its held
   * locks and frames as this thread's, as the kernel's one thread would. Null otherwise.
   */
  SimThread origin;

  long wakeTime;
  long wakeKey;
  long seq;
  /** This thread's virtual time, in cycles. */
  public long now;
  byte state = NEW;
  boolean yielded;

  Frame top;
  /** Return value of the last frame that returned to the running one. */
  public long retval;
  /** Object return value (out-parameters too large for a long). */
  public Object retobj;

  private byte pending;
  private SimLock pendingLock;
  private byte pendingMode;
  private CallSite pendingSite;
  private SimActor<?> pendingActor;
  private Object pendingMsg;
  private long pendingLatency;

  // Lock wait queue linkage: a thread waits for at most one lock at a time.
  SimThread waitNext;
  byte waitMode;
  long waitSince;
  CallSite waitSite;
  SimLock waitingOn;

  /** The semaphore this thread waits on, or null. */
  SimSemaphore waitingSem;

  // Held locks, innermost last: hold-time accounting, invariants and lockdep. Sized in the
  // constructor: a proxy (one per call from another shard) runs one handler and holds few.
  private SimLock[] held;
  private long[] heldSince;
  private byte[] heldMode;
  private CallSite[] heldSite;
  private int heldCount;

  /** The thread promises not to message another domain before this time. */
  long crossHorizon = Long.MIN_VALUE;

  /** The process this thread belongs to in traces (a VM, a GPU, the host); the domain's name by default. */
  public String process;

  /**
   * What the modelled code knows about this thread (e.g. its task and {@code current->mm}). The
   * engine never reads it; a proxy running a remote call has none.
   */
  public Object attachment;

  SimThread(int id, String name, Domain domain, boolean proxy) {
    if (id < 0 || id > Keys.MAX_SOURCE) {
      throw new IllegalArgumentException("thread id out of range: " + id);
    }
    this.id = id;
    this.name = name;
    this.domain = domain;
    this.proxy = proxy;
    this.cpu = id;
    int cap = proxy ? 2 : 8;
    held = new SimLock[cap];
    heldSince = new long[cap];
    heldMode = new byte[cap];
    heldSite = new CallSite[cap];
  }

  // ---------------------------------------------------------------- frame API: time

  /** Spends {@code cycles} of pure computation (no shared state touched). */
  public void cost(long cycles) {
    now += cycles;
  }

  /** Orders the thread at its current time; returns false if it must yield (resume at the next pc). */
  public boolean sync() {
    long key = nextKey();
    if (shard.canInline(now, key)) {
      return true;
    }
    yieldAt(now, key);
    return false;
  }

  /** Sleeps (or computes) {@code cycles}, then synchronises. */
  public boolean sleep(long cycles) {
    now += cycles;
    return sync();
  }

  // ---------------------------------------------------------------- frame API: locks

  /** mutex_lock / spin_lock / down_write. True if the thread holds the lock and goes on. */
  public boolean lock(SimLock l, CallSite site) {
    return acquire(l, MODE_WRITE, site);
  }

  /** down_read. */
  public boolean lockRead(SimRwsem l, CallSite site) {
    return acquire(l, MODE_READ, site);
  }

  /** mutex_unlock / spin_unlock / up_write, at the thread's current time. */
  public void unlock(SimLock l) {
    release(l, MODE_WRITE);
  }

  /** up_read. */
  public void unlockRead(SimRwsem l) {
    release(l, MODE_READ);
  }

  private boolean acquire(SimLock l, byte mode, CallSite site) {
    long key = nextKey();
    if (!shard.canInline(now, key)) {
      pending = P_ACQUIRE;
      pendingLock = l;
      pendingMode = mode;
      pendingSite = site;
      yieldAt(now, key);
      return false;
    }
    return request(l, mode, site);
  }

  /** Records the request's class-order edges (lockdep), then asks the lock. */
  private boolean request(SimLock l, byte mode, CallSite site) {
    if (heldCount > 0 || origin != null) {
      shard.lockdep.acquire(this, l.cls.id);
    }
    return l.request(this, mode, site);
  }

  private void release(SimLock l, byte mode) {
    int i = heldIndex(l, mode);
    if (i < 0) {
      throw new SimulationError(name + " releases " + l + " which it does not hold");
    }
    long since = heldSince[i];
    removeHeld(i);
    l.release(this, mode, since);
  }

  /** down() on a semaphore at the thread's time; false: blocked until an up() (resume at the next pc). */
  public boolean down(SimSemaphore s) {
    if (!sync()) {
      // yielded to reach its time: take the unit when resumed (the frame re-runs this pc)
      pending = P_DOWN;
      pendingSem = s;
      return false;
    }
    return s.down(this);
  }

  /**
   * up() on a semaphore at the thread's time (wakes the first waiter there); synchronises first so
   * that no earlier down() can see a unit from its future. False: yielded, the up happens on resume.
   */
  public boolean up(SimSemaphore s) {
    if (!sync()) {
      pending = P_UP;
      pendingSem = s;
      return false;
    }
    s.up(this);
    return true;
  }

  /**
   * wake_up() on a wait queue (a semaphore used only with {@link #down} and this): every waiter
   * resumes at the thread's time and rechecks its condition. False: yielded, the wake-up happens
   * on resume.
   */
  public boolean wakeAll(SimSemaphore s) {
    if (!sync()) {
      pending = P_WAKE_ALL;
      pendingSem = s;
      return false;
    }
    s.wakeAll(this);
    return true;
  }

  /** An atomic read-modify-write on a shared cache line: costs, bounces, and orders the thread. */
  public boolean atomic(AtomicVar v) {
    now += v.rmwCycles;
    if (v.lastCpu != cpu) {
      if (v.lastCpu >= 0) {
        now += v.bounceCycles;
        v.bounces++;
      }
      v.lastCpu = cpu;
    }
    v.ops++;
    return sync();
  }

  // ---------------------------------------------------------------- frame API: control flow

  /** Calls {@code f} as a plain function on this thread (no message). The caller must return. */
  public void call(Frame f) {
    f.caller = top;
    f.pc = 0;
    top = f;
  }

  /**
   * Calls actor {@code a} with message {@code msg}: the actor's handler runs on this thread after
   * {@code latency} cycles, and this frame resumes (with {@link #retval}) when the reply arrives,
   * {@code latency} cycles after the handler returns. The caller must return right after.
   */
  public <M> void send(SimActor<M> a, M msg, long latency) {
    if (latency < 0) {
      throw new IllegalArgumentException("negative latency");
    }
    shard.messages++;
    if (a.domain != domain) {
      shard.checkCrossDomain(this, a.domain, latency);
    }
    now += latency;
    if (a.shard != shard) {
      shard.postCall(this, a, msg, latency, nextKey());
      state = REMOTE;
      yielded = true;
      return;
    }
    long key = nextKey();
    if (shard.canInline(now, key)) {
      deliver(a, msg, latency);
    } else {
      pending = P_DELIVER;
      pendingActor = a;
      pendingMsg = msg;
      pendingLatency = latency;
      yieldAt(now, key);
    }
  }

  /** Returns {@code v} to the calling frame (or replies to the message this frame handles). */
  public void ret(long v) {
    retval = v;
    popFrame();
  }

  /** Returns an object (and 0) to the caller. */
  public void retObj(Object o) {
    retobj = o;
    retval = 0;
    popFrame();
  }

  /** Declares that this thread will not message another domain before {@code time}. */
  public void noCrossDomainBefore(long time) {
    crossHorizon = time;
    shard.crossHorizonChanged(this);
  }

  /** The time before which this thread promised not to message another domain. */
  public long crossHorizon() {
    return crossHorizon;
  }

  /** Declares that this thread never messages another domain. */
  public void neverCrossDomain() {
    noCrossDomainBefore(Long.MAX_VALUE);
  }

  /** The shard this thread runs on (its op statistics live there). */
  public Shard shard() {
    return shard;
  }

  // ---------------------------------------------------------------- engine side

  long nextKey() {
    return Keys.of(id, ++seq);
  }

  private void yieldAt(long time, long key) {
    shard.schedule(this, time, key);
    yielded = true;
  }

  private <M> void deliver(SimActor<M> a, Object msg, long latency) {
    @SuppressWarnings("unchecked")
    M m = (M) msg;
    if (now >= a.crashAt) {
      throw new ActorCrash(a.name, msg.getClass().getSimpleName(), now);
    }
    Frame h = a.receive(this, m);
    h.replyLatency = latency;
    h.handlerOf = a;
    h.handling = msg;
    call(h);
  }

  private void popFrame() {
    Frame f = top;
    top = f.caller;
    f.caller = null;
    long latency = f.replyLatency;
    f.replyLatency = -1;
    f.handlerOf = null;
    f.handling = null;
    f.recycle();
    if (latency >= 0) {
      shard.messages++;
      now += latency;
      if (top == null && proxy) {
        shard.postReply(this, nextKey());
        state = DONE;
        yielded = true;
        shard.threadDone(this);
        return;
      }
      if (top != null) {
        long key = nextKey();
        if (!shard.canInline(now, key)) {
          yieldAt(now, key);
        }
      }
    }
    if (top == null) {
      state = DONE;
      yielded = true;
      shard.threadDone(this);
    }
  }

  /** Runs the thread from its wake-up until it blocks, yields or ends. */
  void wake() {
    now = wakeTime;
    state = RUNNING;
    yielded = false;
    switch (pending) {
      case P_ACQUIRE -> {
        pending = P_NONE;
        SimLock l = pendingLock;
        CallSite site = pendingSite;
        pendingLock = null;
        pendingSite = null;
        if (!request(l, pendingMode, site)) {
          return;
        }
      }
      case P_DELIVER -> {
        pending = P_NONE;
        SimActor<?> a = pendingActor;
        Object m = pendingMsg;
        pendingActor = null;
        pendingMsg = null;
        deliver(a, m, pendingLatency);
      }
      case P_DOWN, P_UP, P_WAKE_ALL -> {
        byte op = pending;
        pending = P_NONE;
        SimSemaphore s = pendingSem;
        pendingSem = null;
        if (op == P_UP) {
          s.up(this);
        } else if (op == P_WAKE_ALL) {
          s.wakeAll(this);
        } else if (!s.down(this)) {
          return;
        }
      }
      default -> {}
    }
    runFrames();
  }

  void runFrames() {
    while (!yielded) {
      Frame f = top;
      if (f == null) {
        state = DONE;
        shard.threadDone(this);
        return;
      }
      f.run(this);
    }
  }

  /** Starts a remote call on this proxy: the handler of {@code msg} runs here. */
  void startProxy(SimActor<?> a, Object msg, long latency) {
    pending = P_DELIVER;
    pendingActor = a;
    pendingMsg = msg;
    pendingLatency = latency;
  }

  /** Marks the thread blocked in a lock wait queue (the lock wakes it). */
  void block() {
    state = BLOCKED;
    yielded = true;
  }

  void blockOn(SimSemaphore s) {
    waitingSem = s;
    state = BLOCKED;
    yielded = true;
  }

  /** The semaphore of a down(), up() or wakeAll() deferred to the thread's time (P_DOWN, P_UP, P_WAKE_ALL). */
  private SimSemaphore pendingSem;

  /** Wakes the thread at {@code time}; its top frame resumes where it stopped. */
  void resumeAt(long time) {
    shard.schedule(this, time, nextKey());
  }

  void pushHeld(SimLock l, byte mode, long since, CallSite site) {
    if (heldCount == held.length) {
      int n = heldCount * 2;
      held = Arrays.copyOf(held, n);
      heldSince = Arrays.copyOf(heldSince, n);
      heldMode = Arrays.copyOf(heldMode, n);
      heldSite = Arrays.copyOf(heldSite, n);
    }
    held[heldCount] = l;
    heldSince[heldCount] = since;
    heldMode[heldCount] = mode;
    heldSite[heldCount] = site;
    heldCount++;
  }

  private int heldIndex(SimLock l, byte mode) {
    for (int i = heldCount - 1; i >= 0; i--) {
      if (held[i] == l && heldMode[i] == mode) {
        return i;
      }
    }
    return -1;
  }

  private void removeHeld(int i) {
    int tail = heldCount - i - 1;
    if (tail > 0) {
      System.arraycopy(held, i + 1, held, i, tail);
      System.arraycopy(heldSince, i + 1, heldSince, i, tail);
      System.arraycopy(heldMode, i + 1, heldMode, i, tail);
      System.arraycopy(heldSite, i + 1, heldSite, i, tail);
    }
    heldCount--;
    held[heldCount] = null;
    heldSite[heldCount] = null;
  }

  /** Number of locks this thread holds now. */
  public int heldCount() {
    return heldCount;
  }

  /** The i-th held lock, outermost first. */
  public SimLock heldLock(int i) {
    return held[i];
  }

  /** The lock this thread waits for in a queue, or null. */
  public SimLock waitingFor() {
    return state == BLOCKED ? waitingOn : null;
  }

  /** The semaphore this thread waits on, or null. */
  public SimSemaphore waitingForSemaphore() {
    return state == BLOCKED ? waitingSem : null;
  }

  /**
   * Whom this thread waits for in a lock queue: the first holder of that lock other than itself
   * (lockdep's report follows the same edge), or null.
   */
  public SimThread lockBlocker() {
    SimLock l = waitingFor();
    if (l == null) {
      return null;
    }
    for (SimThread h : l.holders()) {
      if (h != this) {
        return h;
      }
    }
    return null;
  }

  /** Whether the thread waits for the reply of a call into another shard. */
  public boolean awaitingReply() {
    return state == REMOTE;
  }

  /**
   * Starts {@code f} on this idle thread at virtual time {@code at} (a script runner's next
   * statement, a worker picking up work). The thread must be done (or never started).
   */
  public void start(Frame f, long at) {
    if (state != DONE && !(state == NEW && top == null)) {
      throw new SimulationError(name + " is busy");
    }
    f.caller = null;
    f.pc = 0;
    f.replyLatency = -1;
    top = f;
    now = at;
    shard.schedule(this, at, nextKey());
  }

  /** Whether the thread has finished its work. */
  public boolean isDone() {
    return state == DONE;
  }

  /** The frame the thread is executing or blocked in (null when done). */
  public Frame currentFrame() {
    return top;
  }

  @Override
  public String toString() {
    return name;
  }
}
