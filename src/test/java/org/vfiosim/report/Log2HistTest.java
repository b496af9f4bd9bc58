package org.vfiosim.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class Log2HistTest {
  @Test
  void labels_follow_bpftrace() {
    assertThat(Log2Hist.label(1)).isEqualTo("[0]");
    assertThat(Log2Hist.label(2)).isEqualTo("[1]");
    assertThat(Log2Hist.label(3)).isEqualTo("[2, 4)");
    assertThat(Log2Hist.label(11)).isEqualTo("[512, 1K)");
    assertThat(Log2Hist.label(12)).isEqualTo("[1K, 2K)");
    assertThat(Log2Hist.label(22)).isEqualTo("[1M, 2M)");
    assertThat(Log2Hist.label(32)).isEqualTo("[1G, 2G)");
    assertThat(Log2Hist.label(42)).isEqualTo("[1T, 2T)");
    assertThat(Log2Hist.index(0)).isEqualTo(1);
    assertThat(Log2Hist.index(1)).isEqualTo(2);
    assertThat(Log2Hist.index(2)).isEqualTo(3);
    assertThat(Log2Hist.index(3)).isEqualTo(3);
    assertThat(Log2Hist.index(1023)).isEqualTo(11);
    assertThat(Log2Hist.index(1024)).isEqualTo(12);
    assertThat(Log2Hist.index(Long.MAX_VALUE)).isEqualTo(64);
  }

  @Test
  void renders_every_bucket_between_the_first_and_last_with_bpftrace_bars() {
    Histogram h = new Histogram(3);
    h.setAutoResize(true);
    h.recordValueWithCount(1, 2);
    h.recordValueWithCount(5, 10);
    h.recordValueWithCount(7, 3);
    h.recordValueWithCount(1500, 20);
    h.recordValueWithCount(4095, 40);
    // 4_194_303 = 2^22 - 1 is stored in a 2 K-wide HdrHistogram range, which must stay in [2M, 4M).
    h.recordValueWithCount(4_194_303, 1);
    String expected = String.join("\n",
        "@cycles[vfio_pin_pages]:",
        "[1]                    2 |@@                                                  |",
        "[2, 4)                 0 |                                                    |",
        "[4, 8)                13 |@@@@@@@@@@@@@@@@                                    |",
        "[8, 16)                0 |                                                    |",
        "[16, 32)               0 |                                                    |",
        "[32, 64)               0 |                                                    |",
        "[64, 128)              0 |                                                    |",
        "[128, 256)             0 |                                                    |",
        "[256, 512)             0 |                                                    |",
        "[512, 1K)              0 |                                                    |",
        "[1K, 2K)              20 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |",
        "[2K, 4K)              40 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
        "[4K, 8K)               0 |                                                    |",
        "[8K, 16K)              0 |                                                    |",
        "[16K, 32K)             0 |                                                    |",
        "[32K, 64K)             0 |                                                    |",
        "[64K, 128K)            0 |                                                    |",
        "[128K, 256K)           0 |                                                    |",
        "[256K, 512K)           0 |                                                    |",
        "[512K, 1M)             0 |                                                    |",
        "[1M, 2M)               0 |                                                    |",
        "[2M, 4M)               1 |@                                                   |",
        "");
    assertThat(Log2Hist.render("@cycles[vfio_pin_pages]", Log2Hist.buckets(h))).isEqualTo(expected);
  }

  @Test
  void an_empty_histogram_prints_only_its_name() {
    assertThat(Log2Hist.render("@x", Log2Hist.buckets(new Histogram(3)))).isEqualTo("@x:\n");
  }

  @Test
  void a_long_label_is_not_cut() {
    assertThat(Log2Hist.line("[128K, 256K)xxxxx", 5, 5)).startsWith("[128K, 256K)xxxxx       5 |@@@");
  }
}
