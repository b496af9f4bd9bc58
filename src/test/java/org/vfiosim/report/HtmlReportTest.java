package org.vfiosim.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.run.RunResult;
import org.vfiosim.run.Runner;

/** report.html of a real mutex-bench run: 8 clients, hold 300 cycles, think 0, 50 iterations. */
class HtmlReportTest {
  static RunResult result;
  static String html;

  static RunResult run(long seed) {
    Runner.Prepared p = Runner.prepare(ConfigLoader.home(), Path.of("conf/scenarios/mutex-bench.conf"),
        List.of("vfiosim.workload.clients=8", "vfiosim.workload.iterations=50", "vfiosim.workload.hold-cycles=300"),
        seed, null);
    return Runner.run(p, 1, null);
  }

  @BeforeAll
  static void render() {
    result = run(7);
    html = HtmlReport.render(result);
  }

  @Test
  void header_names_the_run() {
    assertThat(html).startsWith("<!DOCTYPE html>\n").endsWith("</html>\n");
    assertThat(html).contains("<h1>vfiosim run: mutex-bench (mutex-bench), generation v5.10, seed 7</h1>");
    // 50 rounds of 8 holds of 300 cycles = 120000 cycles = 40 us at 3 GHz.
    assertThat(html).contains("120,000 cycles = 40.000 µs");
    assertThat(html).contains("quiescent <span class=\"ok\">(exit 0)</span>");
  }

  @Test
  void op_histogram_has_bpftrace_bucket_lines() {
    // Waits: the first round 0, 300, ..., 2100; the 49 later rounds 2100 each (8 x 49 = 392).
    String expected = String.join("\n",
        "@cycles[mutex_lock]:",
        "[0]                    1 |                                                    |",
        "[1]                    0 |                                                    |",
        "[2, 4)                 0 |                                                    |",
        "[4, 8)                 0 |                                                    |",
        "[8, 16)                0 |                                                    |",
        "[16, 32)               0 |                                                    |",
        "[32, 64)               0 |                                                    |",
        "[64, 128)              0 |                                                    |",
        "[128, 256)             0 |                                                    |",
        "[256, 512)             1 |                                                    |",
        "[512, 1K)              2 |                                                    |",
        "[1K, 2K)               3 |                                                    |",
        "[2K, 4K)             393 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
        "");
    assertThat(html).contains("<h3>mutex_lock</h3>\n<pre>" + expected + "</pre>\n");
    // mean ((8-1)*300/2 + 49*(8*300-300)) / 50 = 2079 cycles = 0.693 us
    assertThat(html).contains("<tr><td class=\"t\">mutex_lock</td><td class=\"n\">400</td><td class=\"n\">0</td>"
        + "<td class=\"n\">2079.0 (0.693)</td><td class=\"n\">2,100 (0.700)</td>");
  }

  @Test
  void lock_class_rows_in_cycles_and_microseconds() {
    // wait total 300 * (0+1+...+7) + 49 * 8 * 2100 = 831600; avg over 399 contentions = 2084.
    assertThat(html).contains("<tr><td class=\"t\">bench_mutex</td><td class=\"t\">mutex</td><td class=\"n\">1</td>"
        + "<td class=\"n\">400</td><td class=\"n\">399</td><td class=\"n\">831,600 (277.200)</td>"
        + "<td class=\"n\">2,100 (0.700)</td><td class=\"n\">2,084 (0.695)</td>"
        + "<td class=\"n\">120,000 (40.000)</td><td class=\"n\">300 (0.100)</td><td class=\"n\">300 (0.100)</td></tr>");
    // The instance table: one mutex, owner "bench".
    assertThat(html).contains("<tr><td class=\"t\">bench_mutex</td><td class=\"t\">bench</td><td class=\"t\">mutex</td>");
    assertThat(html).contains("alt=\"lock wait total by class\"").contains("alt=\"lock hold total by class\"");
    assertThat(html).contains("<h2>Invariants</h2>\n<p>2 checked, <span class=\"ok\">none violated</span>.</p>");
    assertThat(html).contains("<h2>Findings</h2>\n<p>None.</p>");
  }

  @Test
  void self_contained_with_png_charts() {
    assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("<script")
        .doesNotContain("<link");
    Matcher m = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
    List<byte[]> pngs = new ArrayList<>();
    while (m.find()) {
      pngs.add(Base64.getDecoder().decode(m.group(1)));
    }
    assertThat(pngs).hasSize(3);
    for (byte[] png : pngs) {
      assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    }
  }

  @Test
  void escapes_names() {
    assertThat(Html.esc("&iommu->lock <\"x\">")).isEqualTo("&amp;iommu-&gt;lock &lt;&quot;x&quot;&gt;");
  }

  @Test
  void same_result_same_bytes_and_same_run_same_page_outside_host() {
    assertThat(HtmlReport.render(result)).isEqualTo(html);
    String again = HtmlReport.render(run(7));
    assertThat(withoutHost(again)).isEqualTo(withoutHost(html));
  }

  static String withoutHost(String page) {
    int i = page.indexOf("<h2>Host</h2>");
    assertThat(i).isPositive();
    return page.substring(0, i);
  }
}
