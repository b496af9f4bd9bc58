package org.vfiosim.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Charts for the HTML reports, drawn with XChart on a headless AWT and embedded as PNG data URIs
 * (XChart's SVG encoder needs an extra LGPL library; PNG needs nothing). The same input gives the
 * same bytes: fixed sizes, fixed colours, no timestamps.
 */
public final class Charts {
  static {
    // Before the first AWT class loads: the CLI never opens a window.
    System.setProperty("java.awt.headless", "true");
  }

  /** Series colours, in order (one per generation or lock class). */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
    new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)
  };

  /** One line of a line chart; {@code lo}/{@code hi} (nullable) draw a min..max bar at each point. */
  public record Line(String name, List<Double> y, List<Double> lo, List<Double> hi) {}

  private Charts() {}

  /** A vertical bar chart, one bar per category. */
  public static String bars(String title, String xTitle, String yTitle, List<String> categories, List<? extends Number> values) {
    CategoryChart c = new CategoryChartBuilder().width(760).height(categories.size() > 6 ? 380 : 300)
        .title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    style(c);
    c.getStyler().setLegendVisible(false);
    c.getStyler().setAvailableSpaceFill(Math.min(0.8, 0.25 * categories.size()));
    if (categories.size() > 6) {
      c.getStyler().setXAxisLabelRotation(30);
    }
    CategorySeries s = c.addSeries(yTitle, categories, new ArrayList<>(values));
    s.setFillColor(PALETTE[0]);
    s.setLineColor(PALETTE[0]);
    return png(c);
  }

  /**
   * A line chart over categorical x values (a sweep parameter's values, in the order given), one
   * line per series; a null y leaves a gap. When a series has {@code lo}/{@code hi}, each point gets
   * a bar from lo to hi in the line's colour.
   */
  public static String lines(String title, String xTitle, String yTitle, List<String> x, List<Line> lines) {
    CategoryChart c = new CategoryChartBuilder().width(760).height(340)
        .title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    style(c);
    CategoryStyler st = c.getStyler();
    st.setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    st.setOverlapped(true);
    st.setErrorBarsColorSeriesColor(true);
    st.setLegendPosition(Styler.LegendPosition.OutsideE);
    if (x.size() > 8) {
      st.setXAxisLabelRotation(30);
    }
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      Color col = PALETTE[i % PALETTE.length];
      CategorySeries s = c.addSeries(l.name(), x, l.y());
      s.setLineColor(col);
      s.setMarkerColor(col);
      if (l.lo() != null && l.hi() != null) {
        List<Double> mid = new ArrayList<>();
        List<Double> half = new ArrayList<>();
        for (int k = 0; k < x.size(); k++) {
          Double lo = l.lo().get(k);
          Double hi = l.hi().get(k);
          mid.add(lo == null || hi == null ? null : (lo + hi) / 2);
          half.add(lo == null || hi == null ? 0.0 : (hi - lo) / 2);
        }
        CategorySeries r = c.addSeries(l.name() + " min..max", x, mid, half);
        r.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        r.setMarker(SeriesMarkers.NONE);
        r.setShowInLegend(false);
        r.setLineColor(col);
        r.setMarkerColor(col);
        r.setFillColor(col);
      }
    }
    return png(c);
  }

  private static void style(CategoryChart c) {
    CategoryStyler st = c.getStyler();
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotBorderVisible(true);
    st.setPlotGridVerticalLinesVisible(false);
    st.setAvailableSpaceFill(0.8);
    st.setYAxisMin(0.0);
    st.setYAxisDecimalPattern("#,##0.###");
    st.setAntiAlias(true);
  }

  /** The chart as a {@code data:image/png;base64,...} URI. */
  static String png(Chart<?, ?> c) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(Png.encode(BitmapEncoder.getBufferedImage(c)));
  }
}
