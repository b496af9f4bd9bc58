package org.vfiosim.script;

import java.util.List;

/**
 * <code>parallel { ... }</code>: every step starts at the same virtual time; the block ends when all have
 * returned. {@link #line()} and {@link #text()} are those of the {@code parallel} line; each step
 * keeps its own line. Blocks do not nest and hold no setup statements.
 */
public record Parallel(int line, String text, List<Step> body) implements Stmt {
  public Parallel {
    body = List.copyOf(body);
  }
}
