package org.vfiosim.sim;

/**
 * A simulated actor: private state plus a protocol of messages {@code M} (a sealed interface of
 * records). Another actor calls it with {@link SimThread#send}; the handler runs as a {@link Frame}
 * on the caller's simulated thread, in virtual time, and replies by returning.
 *
 * <p>Simulated actors are hosted by {@code ShardActor}s (Akka Typed), which run their events in
 * exact virtual-time order; see "How it works" in the README.
 */
public abstract class SimActor<M> {
  public final String name;
  Domain domain;
  Shard shard;
  int id = -1;
  /** Fault injection: the first message delivered at or after this virtual time throws ({@link ActorCrash}). */
  long crashAt = Long.MAX_VALUE;

  protected SimActor(String name) {
    this.name = name;
  }

  /** Returns the frame that handles {@code msg} on thread {@code t}. */
  protected abstract Frame receive(SimThread t, M msg);

  public final Domain domain() {
    return domain;
  }

  public final int id() {
    return id;
  }

  /**
   * Fault injection ({@code vfiosim.faults.actor-crash}): the handler of the first message this
   * actor receives at or after virtual time {@code atCycles} throws, as a buggy driver would.
   */
  public final void injectCrash(long atCycles) {
    crashAt = atCycles;
  }

  @Override
  public String toString() {
    return name;
  }
}
