package org.vfiosim.sim;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Akka Typed actor that advances virtual time for all shards (conservative synchronisation). Each
 * shard runs in windows {@code [next event, E)} where E is the earliest time a message it has not
 * seen yet could reach it:
 *
 * <ul>
 *   <li>calls into it: from any other shard r at or after r's earliest call (a ready thread's
 *       wake-up time or horizon, a blocked one's next event, a message about to reach r, a
 *       reply about to reach r's waiting threads) plus the lookahead; when the model declares
 *       hubs (see {@link Domain}) only a shard that runs a hub receives calls;
 *   <li>replies to it: from a shard running calls of its threads, at or after those proxies'
 *       earliest time (or the call still to be delivered) plus the lookahead;
 *   <li>replies to calls it may make itself: its earliest call plus twice the lookahead (not
 *       needed when it runs every hub: its calls then never leave it);
 * </ul>
 *
 * and at most {@code maxWindow} cycles ahead of its next event. There are no global rounds: a
 * shard whose window is done reports back, every idle shard whose safe time moved past its next
 * event starts again. A window expected to hold many events goes to a shard actor on the
 * dispatcher (windows of different shards run in parallel); a small one runs right here, which
 * changes who runs it, never what it computes. Cross-shard messages wait here until their shard
 * is idle. Only window boundaries pass through here, never individual events.
 */
public final class TimeKeeper extends AbstractBehavior<TimeKeeper.Command> {

  /** Protocol. */
  public sealed interface Command {}

  /** A shard finished a window. */
  public record WindowDone(int shard, long nextTime, long callEot, long[] replyEot, List<CrossMessage> outbound,
      long events) implements Command {}

  /** A shard threw while running a window (it is then stopped by supervision). */
  public record ShardFailed(int shard, Throwable error) implements Command {}

  private record ShardTerminated(int shard) implements Command {}

  /**
   * How a run ended: no event left; the end time reached; a shard threw ({@code failure}); stopped
   * from outside at a window boundary (the wall-clock limit, a signal: {@code error} says why); or
   * stopped by the watchdog (a wait-for cycle that lasted a whole check period).
   */
  public enum Status { QUIESCENT, TIME_LIMIT, FAILED, STOPPED, HUNG }

  /**
   * Result handed to whoever started the run. {@code wallNanos} is the host time from the time
   * keeper's start to the end of the run (host figure only; never part of a result).
   * {@code failure} is what a shard threw (FAILED only; null otherwise).
   */
  public record Outcome(Status status, long virtualTime, long windows, String error, long wallNanos,
      Throwable failure) {
    public Outcome(Status status, long virtualTime, long windows, String error, long wallNanos) {
      this(status, virtualTime, windows, error, wallNanos, null);
    }
  }

  /**
   * When a run stops besides running out of events. {@code endTime}: virtual end (MAX_VALUE: none).
   * {@code hungCycles}: the watchdog's period (0: none): every shard pauses at each multiple of it,
   * and a lock wait-for cycle present at two checks in a row stops the run (like khungtaskd, whose
   * period is its timeout); the pause points are virtual times, so the state seen there, and the
   * results of a stopped run, are the same for any number of threads. {@code wallDeadlineNanos}
   * ({@link System#nanoTime}; 0: none) and {@code stop} stop a run at the next window boundary.
   */
  public record Limits(long endTime, long hungCycles, long wallDeadlineNanos, StopSignal stop) {
    public static Limits endAt(long endTime) {
      return new Limits(endTime, 0, 0, null);
    }
  }

  /** Called as the run advances (on the time keeper's thread). */
  public interface Progress {
    void window(long virtualTime, long events);
  }

  /**
   * By default, a window expected to hold at least this many events runs on a shard actor, in
   * parallel; smaller ones run here, inline. Handing a window to another thread costs some
   * microseconds: on 2 cores, 512 VMs of gvt-fleet ran 1.3x faster on two threads than on one with
   * 512 here, 1.5-1.7x with 32768.
   */
  public static final double DEFAULT_PARALLEL_EVENTS = 32768;
  /** {@link Outcome#error()} of a run stopped by its wall-clock limit. */
  public static final String WALL_CLOCK_LIMIT = "wall-clock limit";

  private final Shard[] shards;
  private final List<ActorRef<ShardActor.Command>> refs = new ArrayList<>();
  private final long lookahead;
  private final long maxWindow;
  private final double parallelEvents;
  private final long endTime;
  private final Model model;
  private final long hungCycles;
  private final long wallDeadline;
  private final StopSignal stop;
  /** The next watchdog check (MAX_VALUE: none); whether the last check saw a wait-for cycle. */
  private long nextCheck;
  private boolean cycleAtLastCheck;
  /** Why the run is stopping (no new window starts), or null. */
  private String stopping;
  private final Progress progress;
  private final CompletableFuture<Outcome> done;
  private final boolean hubs;
  private final long startNanos = System.nanoTime();

  // ---- what each shard reported at the end of its last window
  private final long[] nextTime;
  private final long[] callEot;
  /** For each origin shard, the earliest reply this shard's proxies may send (null: none). */
  private final long[][] replyEot;
  private final long[] events;
  /** Messages waiting for each shard's next window, and the earliest of their times (MAX_VALUE: none). */
  private final List<List<CrossMessage>> inbound = new ArrayList<>();
  private final long[] inboundMin;
  /** Whether the shard's actor is running a window, that window's start and end. */
  private final boolean[] running;
  private final long[] windowStart;
  private final long[] windowEnd;
  /** The messages a running shard was given (until it reports back, they count as still pending). */
  private final List<List<CrossMessage>> given = new ArrayList<>();
  private final long[] givenMin;
  /**
   * Emptied inbound lists, reused for later windows' messages: a list goes back here once the
   * shard it was given to has reported its window (it delivered the messages at the window's start).
   */
  private final ArrayDeque<ArrayList<CrossMessage>> spareLists = new ArrayDeque<>();
  /** Recent events per cycle of virtual time: the expected size of a window. */
  private final double[] rate;

  // ---- scratch for computing safe times
  private final long[] replyFloor;
  private final long[] callNext;

  private long eventsTotal;
  private long windows;
  private long reached;
  private boolean finished;

  public static Behavior<Command> create(Model model, long maxWindow, long endTime, Progress progress,
      CompletableFuture<Outcome> done) {
    return create(model, maxWindow, DEFAULT_PARALLEL_EVENTS, Limits.endAt(endTime), progress, done);
  }

  public static Behavior<Command> create(Model model, long maxWindow, double parallelEvents, Limits limits,
      Progress progress, CompletableFuture<Outcome> done) {
    return Behaviors.setup(ctx -> new TimeKeeper(ctx, model, maxWindow, parallelEvents, limits, progress, done));
  }

  private TimeKeeper(ActorContext<Command> ctx, Model model, long maxWindow, double parallelEvents, Limits limits,
      Progress progress, CompletableFuture<Outcome> done) {
    super(ctx);
    this.parallelEvents = parallelEvents;
    this.shards = model.shards();
    this.lookahead = model.lookahead();
    this.maxWindow = Math.max(1, maxWindow);
    this.endTime = limits.endTime();
    this.model = model;
    this.hungCycles = Math.max(0, limits.hungCycles());
    this.nextCheck = hungCycles > 0 ? hungCycles : Long.MAX_VALUE;
    this.wallDeadline = limits.wallDeadlineNanos();
    this.stop = limits.stop();
    this.progress = progress;
    this.done = done;
    this.hubs = model.hasHubs();
    int n = shards.length;
    nextTime = new long[n];
    callEot = new long[n];
    replyEot = new long[n][];
    events = new long[n];
    inboundMin = new long[n];
    Arrays.fill(inboundMin, Long.MAX_VALUE);
    running = new boolean[n];
    givenMin = new long[n];
    Arrays.fill(givenMin, Long.MAX_VALUE);
    windowStart = new long[n];
    windowEnd = new long[n];
    rate = new double[n];
    Arrays.fill(rate, 1.0); // until measured: expect work
    replyFloor = new long[n];
    callNext = new long[n];
    for (Shard s : shards) {
      // A shard that threw is stopped, never restarted with half-updated state; the time keeper
      // reports the failure (and the CLI logs its stack trace to a file), so Akka need not log it.
      Behavior<ShardActor.Command> b = Behaviors.supervise(ShardActor.create(s))
          .onFailure(SupervisorStrategy.stop().withLoggingEnabled(false));
      ActorRef<ShardActor.Command> ref = ctx.spawn(b, "shard-" + s.index);
      ctx.watchWith(ref, new ShardTerminated(s.index));
      refs.add(ref);
      nextTime[s.index] = s.nextEventTime();
      callEot[s.index] = s.callEot();
      replyEot[s.index] = s.replyEot();
      inbound.add(List.of());
      given.add(List.of());
    }
    schedule();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WindowDone.class, this::onWindowDone)
        .onMessage(ShardFailed.class, this::onShardFailed)
        .onMessage(ShardTerminated.class, this::onShardTerminated)
        .build();
  }

  private Behavior<Command> onWindowDone(WindowDone d) {
    running[d.shard()] = false;
    release(given.get(d.shard()));
    given.set(d.shard(), List.of());
    givenMin[d.shard()] = Long.MAX_VALUE;
    apply(d);
    if (!finished) {
      schedule();
    }
    return this;
  }

  private Behavior<Command> onShardFailed(ShardFailed f) {
    finish(new Outcome(Status.FAILED, reached, windows,
        "shard-" + f.shard() + ": " + SimulationFailure.describe(f.error()), 0, f.error()));
    return this;
  }

  private Behavior<Command> onShardTerminated(ShardTerminated t) {
    finish(new Outcome(Status.FAILED, reached, windows, "shard-" + t.shard() + " stopped", 0));
    return this;
  }

  private void apply(WindowDone d) {
    apply(d.shard(), d.nextTime(), d.callEot(), d.replyEot(), d.outbound(), d.events());
  }

  /** What shard {@code s} reported at the end of a window (see {@link WindowDone}). */
  private void apply(int s, long next, long calls, long[] replies, List<CrossMessage> outbound, long eventsNow) {
    long span = Math.max(1, windowEnd[s] - windowStart[s]);
    rate[s] = 0.5 * rate[s] + 0.5 * (double) (eventsNow - events[s]) / span;
    nextTime[s] = next;
    callEot[s] = calls;
    replyEot[s] = replies;
    eventsTotal += eventsNow - events[s];
    events[s] = eventsNow;
    windows++;
    for (int i = 0, k = outbound.size(); i < k; i++) { // indexed: no iterator per window
      CrossMessage m = outbound.get(i);
      int dest = m.destShard();
      if (inboundMin[dest] == Long.MAX_VALUE) {
        ArrayList<CrossMessage> l = spareLists.pollFirst();
        inbound.set(dest, l != null ? l : new ArrayList<>());
      }
      inbound.get(dest).add(m);
      inboundMin[dest] = Math.min(inboundMin[dest], m.time());
    }
  }

  /** A message list whose shard ran the window it was given for goes back to the spares. */
  private void release(List<CrossMessage> l) {
    if (l instanceof ArrayList<CrossMessage> a) {
      a.clear();
      spareLists.push(a);
    }
  }

  /** The messages for shard {@code s}'s window, taken. */
  private List<CrossMessage> takeInbound(int s) {
    List<CrossMessage> in = inbound.get(s);
    if (inboundMin[s] != Long.MAX_VALUE) {
      inbound.set(s, List.of());
      inboundMin[s] = Long.MAX_VALUE;
    }
    return in;
  }

  /**
   * Starts a window on every idle shard whose safe time is past its next event: small ones right
   * here (then looks again, they may have freed others), large ones on their actors.
   */
  private void schedule() {
    int n = shards.length;
    while (!finished) {
      if (stopping == null) {
        String why = stop == null ? null : stop.reason();
        if (why == null && wallDeadline != 0 && System.nanoTime() - wallDeadline >= 0) {
          why = WALL_CLOCK_LIMIT;
        }
        stopping = why;
      }
      long cap = Math.min(endTime, nextCheck);
      computeCallBounds();
      boolean ranHere = false;
      boolean anyRunning = false;
      long safe = Long.MAX_VALUE;
      long earliest = Long.MAX_VALUE;
      for (int s = 0; s < n; s++) {
        if (running[s]) {
          anyRunning = true;
          safe = Math.min(safe, windowStart[s]);
          continue;
        }
        long from = Math.min(nextTime[s], inboundMin[s]);
        earliest = Math.min(earliest, from);
        long e = n > 1 ? safeTime(s) : Long.MAX_VALUE;
        e = Math.min(e, Math.min(cap, saturatingAdd(from, maxWindow)));
        safe = Math.min(safe, Math.min(from, e));
        if (from >= e || stopping != null) {
          continue;
        }
        windowStart[s] = from;
        windowEnd[s] = e;
        if (rate[s] * (double) (e - from) >= parallelEvents) {
          running[s] = true;
          anyRunning = true;
          givenMin[s] = inboundMin[s];
          List<CrossMessage> in = takeInbound(s);
          given.set(s, in);
          refs.get(s).tell(new ShardActor.RunWindow(e, in, getContext().getSelf()));
        } else {
          try {
            Shard sh = shards[s];
            List<CrossMessage> in = takeInbound(s);
            ShardActor.runWindowOnly(sh, e, in);
            apply(s, sh.nextEventTime(), sh.callEot(), sh.replyEot(), sh.drainOutbox(), sh.events());
            release(in);
          } catch (RuntimeException | Error ex) {
            // as a shard actor would: stop it (supervision), report the failure
            getContext().stop(refs.get(s));
            finish(new Outcome(Status.FAILED, reached, windows, "shard-" + s + ": " + SimulationFailure.describe(ex), 0,
                ex));
            return;
          }
          ranHere = true;
        }
      }
      if (safe != Long.MAX_VALUE) {
        reached = Math.max(reached, Math.min(safe, endTime));
      }
      if (progress != null) {
        progress.window(reached, eventsTotal);
      }
      if (!anyRunning && !ranHere) {
        if (earliest == Long.MAX_VALUE) {
          finish(new Outcome(Status.QUIESCENT, reached, windows, null, 0));
        } else if (stopping != null) {
          finish(new Outcome(Status.STOPPED, reached, windows, stopping, 0));
        } else if (earliest >= endTime) {
          finish(new Outcome(Status.TIME_LIMIT, endTime, windows, null, 0));
        } else if (earliest >= nextCheck) {
          // every shard has run every event before nextCheck and none after: a consistent cut
          // (checks with nothing run in between see the same state: they are skipped)
          boolean cycle = model.hasLockWaitCycle();
          long following = saturatingAdd(nextCheck, hungCycles);
          if (cycle && (cycleAtLastCheck || following <= earliest)) {
            long at = cycleAtLastCheck ? nextCheck : following;
            reached = Math.max(reached, at);
            finish(new Outcome(Status.HUNG, at, windows, null, 0));
            return;
          }
          cycleAtLastCheck = cycle;
          if (!cycle && following <= earliest) {
            following = saturatingAdd(earliest / hungCycles * hungCycles, hungCycles);
          }
          nextCheck = following;
          continue;
        } else {
          finish(new Outcome(Status.FAILED, reached, windows, "no shard can advance past " + earliest, 0));
        }
        return;
      }
      if (!ranHere) {
        return; // wait for a running window
      }
    }
  }

  /**
   * For every shard, the earliest call it may send ({@link #callNext}) and the earliest reply
   * other shards may send to it ({@link #replyFloor}). A running shard's figures are those it
   * reported before its window: its window cannot send anything earlier.
   */
  private void computeCallBounds() {
    int n = shards.length;
    Arrays.fill(replyFloor, Long.MAX_VALUE);
    for (int s = 0; s < n; s++) {
      long[] r = replyEot[s];
      if (r != null) {
        for (int o = 0; o < n; o++) {
          replyFloor[o] = Math.min(replyFloor[o], r[o]);
        }
      }
      pendingCalls(inbound.get(s));
      pendingCalls(given.get(s));
    }
    c1 = Long.MAX_VALUE;
    c2 = Long.MAX_VALUE;
    c1Shard = -1;
    for (int s = 0; s < n; s++) {
      long in = Math.min(inboundMin[s], givenMin[s]);
      long c = Math.min(Math.min(callEot[s], in), saturatingAdd(replyFloor[s], lookahead));
      callNext[s] = c;
      if (c < c1) {
        c2 = c1;
        c1 = c;
        c1Shard = s;
      } else if (c < c2) {
        c2 = c;
      }
    }
  }

  /** Calls still to start (or just started) at a shard: their proxies reply at or after them. */
  private void pendingCalls(List<CrossMessage> msgs) {
    // indexed: this runs for every shard on every pass of schedule(); an iterator each was a
    // quarter of the bytes a 512-VM fleet run allocated
    for (int i = 0, k = msgs.size(); i < k; i++) {
      CrossMessage m = msgs.get(i);
      if (!m.reply()) {
        replyFloor[m.originShard()] = Math.min(replyFloor[m.originShard()], m.time());
      }
    }
  }

  private long c1;
  private long c2;
  private int c1Shard;

  /** The time before which no message shard {@code s} has not seen can reach it. */
  private long safeTime(int s) {
    long e = Long.MAX_VALUE;
    if (!hubs || shards[s].containsHub) {
      e = Math.min(e, saturatingAdd(s == c1Shard ? c2 : c1, lookahead));
    }
    e = Math.min(e, saturatingAdd(replyFloor[s], lookahead));
    if (!shards[s].containsAllHubs) {
      e = Math.min(e, saturatingAdd(callNext[s], 2 * lookahead));
    }
    return e;
  }

  private void finish(Outcome o) {
    if (!finished) {
      finished = true;
      done.complete(new Outcome(o.status(), o.virtualTime(), o.windows(), o.error(),
          Math.max(1, System.nanoTime() - startNanos), o.failure()));
    }
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }
}
