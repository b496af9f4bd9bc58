package org.vfiosim.report;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.vfiosim.run.RunResult;
import org.vfiosim.sim.OpStats;

/**
 * {@code ops.csv}: one row per entry point ({@code pages} = {@code all}) followed by one row per
 * number of pages touched. Latencies in virtual cycles; percentiles only on the {@code all} rows.
 */
public final class OpsCsv {
  public static final String HEADER = "op,pages,count,errors,mean_cycles,p50_cycles,p90_cycles,p99_cycles,max_cycles";

  private OpsCsv() {}

  public static String render(RunResult r) {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (Map.Entry<String, OpStats> e : new TreeMap<>(r.ops()).entrySet()) {
      OpStats o = e.getValue();
      sb.append(String.format(Locale.ROOT, "%s,all,%d,%d,%.1f,%d,%d,%d,%d\n", e.getKey(), o.count(), o.errors(),
          ResultsJson.round1(o.mean()), o.percentile(50), o.percentile(90), o.percentile(99), o.max()));
      Map<Long, long[]> pages = o.byPages();
      if (pages.keySet().stream().anyMatch(p -> p > 0)) {
        pages.forEach((p, v) -> sb.append(String.format(Locale.ROOT, "%s,%d,%d,,%.1f,,,,\n", e.getKey(), p, v[0],
            ResultsJson.round1((double) v[1] / v[0]))));
      }
    }
    return sb.toString();
  }
}
