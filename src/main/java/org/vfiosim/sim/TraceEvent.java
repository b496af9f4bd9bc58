package org.vfiosim.sim;

/**
 * One recorded span of a simulated thread, for {@code trace.json}: a lock hold, a lock wait, or a
 * call of an entry point. Times in cycles; {@code name} is the lock class (with its owner in
 * {@code detail}) or the entry point; {@code process} is the VM, GPU or host the thread belongs to.
 */
public record TraceEvent(Kind kind, long start, long end, int thread, String threadName, String process, String name,
    String detail) {

  /** What the span is. */
  public enum Kind { HOLD, WAIT, OP }
}
