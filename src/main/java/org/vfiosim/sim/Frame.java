package org.vfiosim.sim;

/**
 * One activation of a modelled kernel function on a simulated thread: a resumable procedure.
 *
 * <p>Kernel code blocks (a contended mutex, a call into another actor), so each function is written
 * as a small state machine. {@link #run} is entered at {@link #pc}; it returns whenever the thread
 * must give control back: after {@link SimThread#call}, {@link SimThread#send}, {@link
 * SimThread#ret}, or a synchronising operation ({@code lock}, {@code sync}, {@code sleep}, {@code
 * atomic}) that returned {@code false}. The idiom, with classic switch fall-through:
 *
 * <pre>{@code
 * protected void run(SimThread t) {
 *   switch (pc) {
 *     case 0:
 *       if (!iommu.v2) { t.ret(-EACCES); return; }
 *       pc = 1;
 *       if (!t.lock(iommu.lock, SITE)) return;   // resumes at case 1 once granted
 *     case 1:
 *       ...
 *   }
 * }
 * }</pre>
 *
 * <p>Rules that keep results exact: state guarded by a lock the thread holds may be changed at any
 * point of the hold; state shared without a lock (atomics, fields read locklessly by the kernel)
 * is touched only right after a synchronising operation, i.e. at the thread's current virtual
 * time in global order.
 */
public abstract class Frame {
  /** Resume point; 0 on entry. */
  protected int pc;

  Frame caller;
  /** Non-negative when this frame handles a message: the reply travels back with this latency. */
  long replyLatency = -1;
  /** Next free frame while this one is in a {@link FramePool}. */
  Frame nextFree;
  /** Whether this frame is in a {@link FramePool} (taking it out clears it). */
  boolean pooled;
  /** When this frame handles a message: the actor and the message (for failure reports). */
  SimActor<?> handlerOf;
  Object handling;

  /** Runs until the frame returns, calls, or blocks. See the class comment. */
  protected abstract void run(SimThread t);

  /**
   * Called by the thread right after this frame returned ({@link SimThread#ret}): it is on no
   * stack any more and nobody may use it again. A pooled frame drops its references here and goes
   * back to its {@link FramePool}. Frames still on a stack when a run ends are never recycled, so
   * deadlock and diagnostic reports see them intact.
   */
  protected void recycle() {}

  /**
   * Resets the state every frame has before a pooled frame is used again ({@link FramePool#take}):
   * the resume point. Subclasses with state of their own for every frame override it and call super;
   * a concrete frame resets its own fields in its {@code init}.
   */
  protected void reset() {
    pc = 0;
  }

  /** The kernel function this frame models (for diagnostics and deadlock reports). */
  public String function() {
    return getClass().getSimpleName();
  }
}
