package org.vfiosim.script;

/** A statement that may appear both at top level and inside a {@code parallel} block. */
public sealed interface Step extends Stmt permits Call, Assert {}
