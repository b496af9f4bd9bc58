package org.vfiosim.sim;

/**
 * A set of simulated actors that call each other with zero latency (for example one GPU with the
 * VMs whose vGPUs it runs, or the host's VFIO core). A shard runs one or more whole domains.
 * Messages between domains must take at least the engine's lookahead, which is what lets
 * shards run the same window in parallel.
 */
public final class Domain {
  public final String name;
  public final int index;
  Shard shard;

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
