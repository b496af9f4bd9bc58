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

  @Override
  public String toString() {
    return name;
  }
}
