package org.vfiosim.sim;

/**
 * A message between shards: a call into an actor of another domain, or the reply to one. The
 * calling thread's identity and sequence counter travel with it, so the remote part of the call
 * consumes the same keys it would consume in a single-shard run. A call carries its calling thread
 * ({@code caller}; null in a reply), whose held locks lockdep counts while the call runs.
 */
public record CrossMessage(
    boolean reply,
    long time,
    long key,
    int destShard,
    int destActor,
    int thread,
    String threadName,
    int originShard,
    long seq,
    Object payload,
    long latency,
    long retval,
    SimThread caller) {}
