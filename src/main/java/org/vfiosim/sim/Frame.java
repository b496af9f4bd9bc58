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

  /** Runs until the frame returns, calls, or blocks. See the class comment. */
  protected abstract void run(SimThread t);

  /** The kernel function this frame models (for diagnostics and deadlock reports). */
  public String function() {
    return getClass().getSimpleName();
  }
}
