package org.vfiosim.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.vfiosim.report.Charts;
import org.vfiosim.report.Html;
import org.vfiosim.report.ResultsJson;

/**
 * The sweep's {@code report.html}: for each entry point its mean latency against the first swept
 * parameter, one line per generation; total lock wait by class against the same parameter; a table
 * of every point linking to its own report. With several seeds a line shows the mean over seeds
 * and a bar from the smallest to the largest value. Further swept parameters split the charts:
 * one chart per combination of their values. Self-contained and a pure function of the rows.
 */
public final class SweepReport {
  /** Lock classes drawn per chart (those with the largest total wait over the sweep). */
  static final int MAX_CLASSES = 10;

  private SweepReport() {}

  public static String render(String scenarioName, String scenarioFile, SweepSpec spec, List<SweepRow> rows) {
    StringBuilder sb = new StringBuilder(64 * 1024);
    Html.head(sb, "vfiosim sweep: " + scenarioName);
    sb.append("<h1>vfiosim sweep: ").append(Html.esc(scenarioName)).append("</h1>\n<table>\n");
    Html.kv(sb, "scenario", scenarioFile);
    for (String k : spec.keys()) {
      Html.kv(sb, "--param " + k, String.join(", ", spec.values(k)));
    }
    List<String> gens = generations(rows);
    Html.kv(sb, "generations", String.join(", ", gens));
    Html.kv(sb, "seeds", spec.seeds() == 1 ? "1" : "1.." + spec.seeds());
    long failed = rows.stream().filter(r -> r.exitStatus() != 0).count();
    Html.kv(sb, "points", rows.size() + (failed == 0 ? ", all exit 0" : ", " + failed + " with exit status 1"));
    sb.append("</table>\n");
    if (spec.seeds() > 1) {
      sb.append("<p class=\"note\">Lines show the mean over seeds 1..").append(spec.seeds())
          .append("; bars run from the smallest to the largest value.</p>\n");
    }

    String x = spec.keys().get(0);
    List<String> xs = spec.values(x);
    Map<List<String>, List<SweepRow>> cells = cells(rows);
    List<List<SweepPoint.Param>> slices = slices(spec);
    boolean spread = spec.seeds() > 1;

    sb.append("<h2>Entry point latency against ").append(Html.esc(x)).append("</h2>\n");
    List<String> ops = SweepCsv.ops(rows);
    if (ops.isEmpty()) {
      sb.append("<p>No entry point was called.</p>\n");
    }
    for (String op : ops) {
      sb.append("<h3>").append(Html.esc(op)).append("</h3>\n");
      for (List<SweepPoint.Param> slice : slices) {
        List<Charts.Line> lines = new ArrayList<>();
        for (String g : gens) {
          lines.add(line(g, xs, slice, g, cells, spread, r -> {
            SweepRow.Op o = r.ops().get(op);
            return o == null ? Double.NaN : o.meanCycles();
          }));
        }
        String title = op + " mean latency" + label(slice);
        Html.img(sb, Charts.lines(title, x, "mean latency (cycles)", xs, lines), title);
      }
    }

    sb.append("<h2>Lock wait by class against ").append(Html.esc(x)).append("</h2>\n");
    List<String> classes = topClasses(rows);
    if (classes.isEmpty()) {
      sb.append("<p>No lock was waited for.</p>\n");
    } else if (classes.size() < SweepCsv.locks(rows).size()) {
      sb.append("<p class=\"note\">The ").append(classes.size())
          .append(" classes with the largest total wait; the table below has all of them.</p>\n");
    }
    for (String g : classes.isEmpty() ? List.<String>of() : gens) {
      for (List<SweepPoint.Param> slice : slices) {
        List<Charts.Line> lines = new ArrayList<>();
        for (String c : classes) {
          lines.add(line(c, xs, slice, g, cells, spread, r -> {
            SweepRow.Lock l = r.locks().get(c);
            return l == null ? Double.NaN : l.waitTotalCycles();
          }));
        }
        String title = "lock wait total, " + g + label(slice);
        Html.img(sb, Charts.lines(title, x, "wait total (cycles)", xs, lines), title);
      }
    }

    table(sb, spec, rows);
    Html.tail(sb);
    return sb.toString();
  }

  /** Generations in the order the points ran them. */
  static List<String> generations(List<SweepRow> rows) {
    LinkedHashSet<String> g = new LinkedHashSet<>();
    rows.forEach(r -> g.add(r.generation()));
    return new ArrayList<>(g);
  }

  /** Rows by (parameter values..., generation): the seeds of one cell. */
  static Map<List<String>, List<SweepRow>> cells(List<SweepRow> rows) {
    Map<List<String>, List<SweepRow>> m = new LinkedHashMap<>();
    for (SweepRow r : rows) {
      m.computeIfAbsent(cellKey(r.point().values(), r.generation()), k -> new ArrayList<>()).add(r);
    }
    return m;
  }

  private static List<String> cellKey(List<SweepPoint.Param> values, String generation) {
    List<String> k = new ArrayList<>();
    values.forEach(p -> k.add(p.value()));
    k.add(generation);
    return k;
  }

  /** Every combination of the values of the parameters after the first (one empty combination if none). */
  static List<List<SweepPoint.Param>> slices(SweepSpec spec) {
    List<List<SweepPoint.Param>> out = new ArrayList<>();
    out.add(List.of());
    List<String> keys = spec.keys();
    for (String k : keys.subList(1, keys.size())) {
      List<List<SweepPoint.Param>> next = new ArrayList<>();
      for (List<SweepPoint.Param> s : out) {
        for (String v : spec.values(k)) {
          List<SweepPoint.Param> n = new ArrayList<>(s);
          n.add(new SweepPoint.Param(k, v));
          next.add(n);
        }
      }
      out = next;
    }
    return out;
  }

  private static String label(List<SweepPoint.Param> slice) {
    if (slice.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(" (");
    for (int i = 0; i < slice.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(slice.get(i).key()).append('=').append(slice.get(i).value());
    }
    return sb.append(')').toString();
  }

  /** One line: at each x, the mean over the cell's seeds (NaN values, absent figures, skipped). */
  private static Charts.Line line(String name, List<String> xs, List<SweepPoint.Param> slice, String gen,
      Map<List<String>, List<SweepRow>> cells, boolean spread, ToDoubleFunction<SweepRow> f) {
    List<Double> y = new ArrayList<>();
    List<Double> lo = new ArrayList<>();
    List<Double> hi = new ArrayList<>();
    for (String xv : xs) {
      List<String> key = new ArrayList<>();
      key.add(xv);
      slice.forEach(p -> key.add(p.value()));
      key.add(gen);
      double sum = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      int n = 0;
      for (SweepRow r : cells.getOrDefault(key, List.of())) {
        double v = f.applyAsDouble(r);
        if (!Double.isNaN(v)) {
          sum += v;
          min = Math.min(min, v);
          max = Math.max(max, v);
          n++;
        }
      }
      y.add(n == 0 ? null : sum / n);
      lo.add(n == 0 ? null : min);
      hi.add(n == 0 ? null : max);
    }
    return spread ? new Charts.Line(name, y, lo, hi) : new Charts.Line(name, y, null, null);
  }

  /** Classes with a non-zero wait somewhere, the largest total wait first, at most {@link #MAX_CLASSES}. */
  static List<String> topClasses(List<SweepRow> rows) {
    Map<String, Long> total = new LinkedHashMap<>();
    for (String c : SweepCsv.locks(rows)) {
      long t = 0;
      for (SweepRow r : rows) {
        SweepRow.Lock l = r.locks().get(c);
        t += l == null ? 0 : l.waitTotalCycles();
      }
      if (t > 0) {
        total.put(c, t);
      }
    }
    List<String> out = new ArrayList<>(total.keySet());
    out.sort(Comparator.comparing((String c) -> total.get(c)).reversed().thenComparing(c -> c));
    return out.size() > MAX_CLASSES ? out.subList(0, MAX_CLASSES) : out;
  }

  private static void table(StringBuilder sb, SweepSpec spec, List<SweepRow> rows) {
    sb.append("<h2>Points</h2>\n<p class=\"note\">Each point is <code>vfiosim run</code> of the scenario with the "
        + "point's settings and seed; its outputs are in <code>points/&lt;point&gt;/</code>. Latency and wait in "
        + "cycles.</p>\n<table>\n");
    List<String> ops = SweepCsv.ops(rows);
    List<String> locks = SweepCsv.locks(rows);
    List<String> head = new ArrayList<>();
    head.add("point");
    head.addAll(spec.keys());
    head.addAll(List.of("generation", "seed", "exit", "virtual time"));
    for (String o : ops) {
      head.add(o + " mean");
      head.add(o + " p99");
    }
    for (String l : locks) {
      head.add(l + " contentions");
      head.add(l + " wait total");
    }
    Html.th(sb, head.toArray(new String[0]));
    for (SweepRow r : rows) {
      String name = r.point().name();
      sb.append("<tr><td class=\"t\"><a href=\"points/").append(Html.esc(name)).append("/report.html\">")
          .append(Html.esc(name)).append("</a></td>");
      for (SweepPoint.Param p : r.point().values()) {
        Html.td(sb, p.value());
      }
      Html.td(sb, r.generation());
      Html.tdn(sb, Long.toString(r.point().seed()));
      sb.append(r.exitStatus() == 0 ? "<td class=\"n\">0</td>" : "<td class=\"n bad\">" + r.exitStatus() + "</td>");
      Html.tdn(sb, Html.num(r.virtualTimeCycles()));
      for (String o : ops) {
        SweepRow.Op op = r.ops().get(o);
        Html.tdn(sb, op == null ? "" : Html.dec1(ResultsJson.round1(op.meanCycles())));
        Html.tdn(sb, op == null ? "" : Html.num(op.p99Cycles()));
      }
      for (String l : locks) {
        SweepRow.Lock lk = r.locks().get(l);
        Html.tdn(sb, lk == null ? "" : Html.num(lk.contentions()));
        Html.tdn(sb, lk == null ? "" : Html.num(lk.waitTotalCycles()));
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
  }
}
