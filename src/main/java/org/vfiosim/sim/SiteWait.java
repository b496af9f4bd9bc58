package org.vfiosim.sim;

/**
 * Contended acquisitions of one lock class at one call site, in one mode: what
 * {@code perf lock contention} aggregates per caller. Times in cycles.
 */
public record SiteWait(String symbol, LockKind kind, boolean read, long contended, long total, long max, long min) {

  /** perf's type column: {@code mutex}, {@code spinlock}, {@code rwsem:R}, {@code rwsem:W}. */
  public String perfType() {
    return kind == LockKind.RWSEM ? (read ? "rwsem:R" : "rwsem:W") : kind.perfName();
  }

  public long avg() {
    return contended == 0 ? 0 : total / contended;
  }
}
