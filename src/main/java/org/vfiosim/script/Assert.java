package org.vfiosim.script;

/** {@code assert QUANTITY ARGS == VALUE}. Assertions read state (also after a BUG). */
public record Assert(int line, String text, Quantity quantity, long expected) implements Step {}
