package org.vfiosim.sim;

/**
 * Contended waits of one lock instance per call site (count, total, max, min), indexed by the
 * call site's id: no hashing on the hot path. perf lock contention's rows come from these.
 */
final class SiteWaits {
  private CallSite[] sites = new CallSite[8];
  private long[][] stats = new long[8][];

  void add(CallSite site, long waited) {
    int i = site.id;
    if (i >= sites.length) {
      int n = Math.max(i + 1, sites.length * 2);
      sites = java.util.Arrays.copyOf(sites, n);
      stats = java.util.Arrays.copyOf(stats, n);
    }
    long[] e = stats[i];
    if (e == null) {
      sites[i] = site;
      stats[i] = new long[] {1, waited, waited, waited};
    } else {
      e[0]++;
      e[1] += waited;
      e[2] = Math.max(e[2], waited);
      e[3] = Math.min(e[3], waited);
    }
  }

  /** Every site with waits: {@code (site, {count, total, max, min})}, in site id order. */
  void forEach(java.util.function.BiConsumer<CallSite, long[]> f) {
    for (int i = 0; i < sites.length; i++) {
      if (stats[i] != null) {
        f.accept(sites[i], stats[i]);
      }
    }
  }
}
