package org.vfiosim.sim;

/**
 * A set of simulated actors that call each other with zero latency (for example one GPU with the
 * VMs whose vGPUs it runs, or the host's VFIO core). A shard runs one or more whole domains.
 * Messages between domains must take at least the engine's lookahead, which is what lets
 * shards run the same window in parallel.
 *
 * <p>A <em>hub</em> domain (the host's VFIO core) is one that other domains call and that never
 * calls out: when a model declares hubs, every cross-domain call must go to a hub, which lets the
 * time keeper give each shard its own safe time (a VM's shard waits for the host only while it
 * has a call there).
 */
public final class Domain {
  public final String name;
  public final int index;
  Shard shard;
  /** Set by {@link Model#hub}. */
  boolean hub;

  Domain(String name, int index) {
    this.name = name;
    this.index = index;
  }

  public Shard shard() {
    return shard;
  }

  @Override
  public String toString() {
    return name;
  }
}
