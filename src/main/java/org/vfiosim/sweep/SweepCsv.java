package org.vfiosim.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.vfiosim.report.ResultsJson;

/**
 * {@code sweep.csv}: one row per point, in point order. Columns: each swept key (in
 * {@code --param} order), {@code generation}, {@code seed}, then for every entry point (by name)
 * {@code <op>.mean_cycles} and {@code <op>.p99_cycles}, then for every lock class (by name, rwsems
 * as {@code NAME-R}/{@code NAME-W}) {@code <class>.contentions} and {@code <class>.wait_total_cycles}.
 * Ops and classes are the union over all points; a point without one leaves its cells empty.
 * Means are rounded to 0.1 cycle as in results.json. Fields are quoted as RFC 4180 asks.
 */
public final class SweepCsv {
  private SweepCsv() {}

  /** Every op of any row, by name. */
  static List<String> ops(List<SweepRow> rows) {
    TreeSet<String> s = new TreeSet<>();
    rows.forEach(r -> s.addAll(r.ops().keySet()));
    return new ArrayList<>(s);
  }

  /** Every lock class of any row, by name. */
  static List<String> locks(List<SweepRow> rows) {
    TreeSet<String> s = new TreeSet<>();
    rows.forEach(r -> s.addAll(r.locks().keySet()));
    return new ArrayList<>(s);
  }

  public static String render(List<String> keys, List<SweepRow> rows) {
    List<String> ops = ops(rows);
    List<String> locks = locks(rows);
    StringBuilder sb = new StringBuilder();
    List<String> header = new ArrayList<>(keys);
    header.add("generation");
    header.add("seed");
    for (String o : ops) {
      header.add(o + ".mean_cycles");
      header.add(o + ".p99_cycles");
    }
    for (String l : locks) {
      header.add(l + ".contentions");
      header.add(l + ".wait_total_cycles");
    }
    line(sb, header);
    for (SweepRow r : rows) {
      List<String> f = new ArrayList<>();
      for (SweepPoint.Param p : r.point().values()) {
        f.add(p.value());
      }
      f.add(r.generation());
      f.add(Long.toString(r.point().seed()));
      for (String o : ops) {
        SweepRow.Op op = r.ops().get(o);
        f.add(op == null ? "" : String.format(Locale.ROOT, "%.1f", ResultsJson.round1(op.meanCycles())));
        f.add(op == null ? "" : Long.toString(op.p99Cycles()));
      }
      for (String l : locks) {
        SweepRow.Lock lk = r.locks().get(l);
        f.add(lk == null ? "" : Long.toString(lk.contentions()));
        f.add(lk == null ? "" : Long.toString(lk.waitTotalCycles()));
      }
      line(sb, f);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(quote(fields.get(i)));
    }
    sb.append('\n');
  }

  static String quote(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
