package org.vfiosim.script;

/**
 * One statement of a script, in the order written. Every statement knows its 1-based line and its
 * source text (trimmed, comment removed), which the runner prints as {@code LINE: TEXT = RESULT}.
 *
 * <pre>
 * Stmt
 *  ├─ Setup      param, vm, mmio, vgpu (top level only; generation is {@link Script#generation()})
 *  ├─ Step       what may also appear inside a parallel block
 *  │   ├─ Call   one record per kernel entry point (and reset_counters)
 *  │   └─ Assert
 *  └─ Parallel   a parallel { } block holding its Steps
 * </pre>
 */
public sealed interface Stmt permits Setup, Step, Parallel {
  /** The 1-based line of the statement (that of the {@code parallel} line for a block). */
  int line();

  /** The statement as written: trimmed, without its comment. */
  String text();
}
