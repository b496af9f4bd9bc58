package org.vfiosim.actors;

import org.vfiosim.sim.Frame;
import org.vfiosim.sim.SimThread;

/**
 * A modelled kernel function: a {@link Frame} that can time itself as an entry point ({@code
 * ops} in results.json: virtual cycles from call to return, waits included).
 */
abstract class KFrame extends Frame {
  /** Return value that stands for "the kernel hit BUG() in this container" (prints {@code BUG}). */
  static final long RET_BUG = KernelModel.RET_BUG;

  private long start;
  private int op = -1;
  private long pages;

  /** A pooled frame used again: not timed until {@link #begin}. */
  @Override
  protected void reset() {
    super.reset();
    start = 0;
    op = -1;
    pages = 0;
  }

  /** Starts timing this call as entry point {@code op} touching {@code pages} pages. */
  final void begin(SimThread t, int op, long pages, long entryCost) {
    this.start = t.now;
    this.op = op;
    this.pages = pages;
    t.cost(entryCost);
  }

  /** Returns {@code ret}, recording the entry point's latency if {@link #begin} timed it. */
  final void leave(SimThread t, long ret) {
    if (op >= 0) {
      t.shard().op(op).recordCall(t.now - start, pages, ret); // RET_BUG is negative too
      t.shard().traceOp(t, t.shard().opName(op), start, t.now);
    }
    t.ret(ret);
  }

  /** The current task (the thread's attachment), never null for model threads. */
  static Task task(SimThread t) {
    return t.attachment instanceof Task k ? k : null;
  }
}
