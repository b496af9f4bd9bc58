package org.vfiosim.sim;

/**
 * A simulated thread's frame threw while its shard ran a window: an injected {@link ActorCrash} or a
 * bug in the model or engine. Says where: the shard, the thread, its virtual time, the function it
 * was in and, when a handler was running, the actor and the message it handled. The shard is then
 * stopped (its state is no longer consistent) and the run ends with partial results.
 */
public final class SimulationFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public final int shard;
  public final String thread;
  public final long time;
  public final String function;
  /** The actor whose handler was running, and the message's type; null when none was. */
  public final String actor;
  public final String handling;

  private SimulationFailure(int shard, String thread, long time, String function, String actor, String handling,
      Throwable cause) {
    super(describe(cause), cause);
    this.shard = shard;
    this.thread = thread;
    this.time = time;
    this.function = function;
    this.actor = actor;
    this.handling = handling;
  }

  /** Whether the failure is an injected fault rather than a bug. */
  public boolean injected() {
    return getCause() instanceof ActorCrash;
  }

  static SimulationFailure of(Shard s, SimThread t, Throwable e) {
    String actor = null;
    String msg = null;
    if (e instanceof ActorCrash c) {
      actor = c.actor;
      msg = c.message;
    } else {
      for (Frame f = t.currentFrame(); f != null; f = f.caller) {
        if (f.handlerOf != null) {
          actor = f.handlerOf.name;
          msg = f.handling == null ? "?" : f.handling.getClass().getSimpleName();
          break;
        }
      }
    }
    Frame top = t.currentFrame();
    for (SimThread o = t.origin; top == null && o != null; o = o.origin) {
      top = o.currentFrame(); // a proxy about to run a call: its caller is where it came from
    }
    return new SimulationFailure(s.index, t.name, t.now, top == null ? "?" : top.function(), actor, msg, e);
  }

  /** The exception as one line: its class and message. */
  public static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
