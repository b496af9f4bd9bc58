package org.vfiosim.sim;

/**
 * An injected fault ({@code vfiosim.faults.actor-crash}): a simulated actor's handler throws on a
 * message, the way an oops in a driver's callback kills the thread running it.
 */
public final class ActorCrash extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public final String actor;
  public final String message;
  public final long time;

  ActorCrash(String actor, String message, long time) {
    super("injected fault: " + actor + " threw while handling " + message + " at cycle " + time);
    this.actor = actor;
    this.message = message;
    this.time = time;
  }
}
