package org.vfiosim.report;

import java.util.Locale;

/** Small helpers the HTML reports (run and sweep) share: escaping, number formats, the style sheet, tables. */
public final class Html {
  /** Inline style sheet: the reports must open with no network. */
  public static final String CSS = String.join("\n",
      "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1200px}",
      "h1{font-size:1.4em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}h3{font-size:1.05em}",
      "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}",
      "th,td{border:1px solid #ccc;padding:2px 6px}th{background:#f0f0f0;text-align:left}",
      "td.n{text-align:right;font-family:monospace}td.t{font-family:monospace}",
      "pre{background:#f7f7f7;padding:.5em;font-size:.85em;overflow-x:auto}",
      "img{display:block;margin:.5em 0}.bad{color:#b00020;font-weight:bold}.ok{color:#1b5e20}",
      "p.note{color:#555;font-size:.9em}");

  private Html() {}

  /** Escapes text for element content and double-quoted attributes. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** Document start: doctype, title, style sheet. */
  public static void head(StringBuilder sb, String title) {
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(esc(title)).append("</title>\n<style>\n").append(CSS).append("\n</style>\n</head>\n<body>\n");
  }

  public static void tail(StringBuilder sb) {
    sb.append("</body>\n</html>\n");
  }

  /** Cycles as microseconds at {@code ghz}, three decimals (nanosecond resolution). */
  public static String us(double cycles, double ghz) {
    return String.format(Locale.ROOT, "%.3f", cycles / ghz / 1000.0);
  }

  public static String num(long v) {
    return String.format(Locale.ROOT, "%,d", v);
  }

  public static String dec1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** A header row. */
  public static void th(StringBuilder sb, String... cols) {
    sb.append("<tr>");
    for (String c : cols) {
      sb.append("<th>").append(esc(c)).append("</th>");
    }
    sb.append("</tr>\n");
  }

  /** A text cell. */
  public static void td(StringBuilder sb, String text) {
    sb.append("<td class=\"t\">").append(esc(text)).append("</td>");
  }

  /** A key / value row of a two-column table. */
  public static void kv(StringBuilder sb, String k, String v) {
    sb.append("<tr><th>").append(esc(k)).append("</th><td class=\"t\">").append(esc(v)).append("</td></tr>\n");
  }

  /** A right-aligned number cell. */
  public static void tdn(StringBuilder sb, String text) {
    sb.append("<td class=\"n\">").append(esc(text)).append("</td>");
  }

  public static void img(StringBuilder sb, String dataUri, String alt) {
    sb.append("<img src=\"").append(dataUri).append("\" alt=\"").append(esc(alt)).append("\">\n");
  }
}
