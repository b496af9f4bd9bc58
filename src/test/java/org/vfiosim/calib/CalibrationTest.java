package org.vfiosim.calib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.kernel.Costs;

/**
 * The calibration's figures under the default cost model, and how each moves when one primitive
 * cost moves: by exactly what the modelled paths predict, and not at all where a primitive is not
 * on (or cancels out of) a figure's paths.
 */
class CalibrationTest {
  private static Config defaults;
  private static Map<String, Double> base;

  @BeforeAll
  static void setUp() {
    defaults = ConfigLoader.loadCosts(ConfigLoader.home(), null);
    base = figures(new Costs(defaults));
  }

  private static Map<String, Double> figures(Costs c) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Calibration.Figure f : Calibration.run(c)) {
      m.put(f.id(), f.simulated());
    }
    return m;
  }

  private static Map<String, Double> with(String key, long value) {
    return figures(new Costs(ConfigFactory.parseString(key + " = " + value).withFallback(defaults).resolve()));
  }

  private static long cost(String key) {
    return defaults.getLong(key);
  }

  @Test
  void every_figure_in_order_with_its_target_and_source() {
    List<Calibration.Figure> fs = Calibration.run(new Costs(defaults));
    assertThat(fs).extracting(Calibration.Figure::id).containsExactly("mutex-uncontended-cycles",
        "group-lookup-saving-cycles", "dma-rw-vs-kvm-1page-cycles", "dma-rw-vs-kvm-5pages-cycles",
        "dma-rw-vs-kvm-20pages-cycles", "contig-gup-calls-1-5-6-7-9", "contig-512-pages-time-change",
        "contig-1-page-time-change", "shadow-ctx-cycles-change");
    for (Calibration.Figure f : fs) {
      assertThat(f.source()).isNotBlank();
      assertThat(f.targetLow()).isLessThanOrEqualTo(f.targetHigh());
      assertThat(f.ok()).isEqualTo(f.baselineOk() && f.simulated() >= f.targetLow() && f.simulated() <= f.targetHigh());
      assertThat(f.baselineOk()).isTrue();
    }
  }

  @Test
  void the_default_cost_model_meets_every_target_but_the_two_known_gaps() {
    // Known gaps (README, Calibration): no linear per-page model meets the 1-page, 5-page and
    // 20-page rw figures at once, and the one-page cost of Xu's v1 helper is not fully explained.
    List<String> failing = Calibration.run(new Costs(defaults)).stream().filter(f -> !f.ok())
        .map(Calibration.Figure::id).toList();
    assertThat(failing).containsExactly("dma-rw-vs-kvm-5pages-cycles", "contig-1-page-time-change");
  }

  @Test
  void each_miss_says_what_its_paths_give_and_what_the_target_would_need() {
    Map<String, Calibration.Figure> fs = new LinkedHashMap<>();
    Calibration.run(new Costs(defaults)).forEach(f -> fs.put(f.id(), f));
    // within target: nothing to explain
    assertThat(fs.get("dma-rw-vs-kvm-1page-cycles").why()).isEmpty();
    assertThat(fs.get("dma-rw-vs-kvm-20pages-cycles").why()).isEmpty();
    assertThat(fs.get("mutex-uncontended-cycles").why()).isEmpty();
    // (155 + 450) / 4 .. (195 + 610) / 4 and (155 + 2005) / 19 .. (195 + 2533) / 19: disjoint; the
    // model saves a memslot lookup and a copy call a page
    long perPage = cost("costs.memslot-lookup") + cost("costs.copy.call");
    assertThat(fs.get("dma-rw-vs-kvm-5pages-cycles").why())
        .contains("151.3..201.3 cycles a page from 1 to 5 pages and 113.7..143.6 from 1 to 20 pages")
        .contains("no per-page cost meets both").endsWith("(this cost model: " + perPage + ".0 a page)");
    // v1's one-page path: kvmalloc + kvfree of the page array
    long extra = cost("costs.kzalloc") + cost("costs.kfree");
    assertThat(fs.get("contig-1-page-time-change").why()).startsWith("v1's one-page path adds " + extra + " cycles")
        .containsPattern("to a \\d+-cycle pin; 6\\.\\.16 % would need it to add \\d+\\.\\.\\d+");
  }

  @Test
  void with_a_per_page_cost_the_targets_allow_the_rw_figures_only_explain_the_ones_still_out() {
    // a memslot lookup dearer by 10: 150 a page, 5 pages -444 (still out), 20 pages -2684 (now out)
    Map<String, Calibration.Figure> fs = new LinkedHashMap<>();
    Calibration.run(new Costs(ConfigFactory.parseString("costs.memslot-lookup = " + (cost("costs.memslot-lookup") + 10))
        .withFallback(defaults).resolve())).forEach(f -> fs.put(f.id(), f));
    long perPage = cost("costs.memslot-lookup") + 10 + cost("costs.copy.call");
    assertThat(fs.get("dma-rw-vs-kvm-20pages-cycles").ok()).isFalse();
    assertThat(fs.get("dma-rw-vs-kvm-20pages-cycles").why()).endsWith("(this cost model: " + perPage + ".0 a page)");
    assertThat(fs.get("dma-rw-vs-kvm-1page-cycles").why()).isEmpty();
  }

  @Test
  void same_costs_same_figures() {
    assertThat(figures(new Costs(defaults))).isEqualTo(base);
  }

  @Test
  void the_mutex_figure_is_lock_plus_unlock_plus_one_counter_read() {
    assertThat(base.get("mutex-uncontended-cycles")).isEqualTo(
        (double) cost("costs.mutex.acquire") + cost("costs.mutex.release") + cost("costs.get-cycles"));
  }

  @Test
  void a_dearer_mutex_moves_each_figure_by_its_extra_acquisitions() {
    long d = cost("costs.mutex.acquire"); // doubled
    Map<String, Double> m = with("costs.mutex.acquire", 2 * d);
    assertThat(m.get("mutex-uncontended-cycles")).isCloseTo(base.get("mutex-uncontended-cycles") + d, within(1e-6));
    // v5.6 path: vfio.group_lock, &iommu_group->mutex, &group->unbound_lock, &group->device_lock
    assertThat(m.get("group-lookup-saving-cycles")).isCloseTo(base.get("group-lookup-saving-cycles") + 4 * d, within(1e-6));
    // vfio_dma_rw takes &iommu->lock once; the KVM path takes no mutex (kvm->srcu)
    assertThat(m.get("dma-rw-vs-kvm-1page-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-1page-cycles") + d, within(1e-6));
    assertThat(m.get("dma-rw-vs-kvm-5pages-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-5pages-cycles") + d, within(1e-6));
    assertThat(m.get("dma-rw-vs-kvm-20pages-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-20pages-cycles") + d, within(1e-6));
    assertThat(m.get("contig-gup-calls-1-5-6-7-9")).isCloseTo(base.get("contig-gup-calls-1-5-6-7-9"), within(1e-6));
    // fewer calls after patch 7/7: fewer &iommu->lock round trips, so a larger saving
    assertThat(m.get("shadow-ctx-cycles-change")).isLessThan(base.get("shadow-ctx-cycles-change"));
  }

  @Test
  void a_dearer_atomic_moves_only_the_group_lookup_by_its_ten_rmws() {
    long d = 7;
    Map<String, Double> m = with("costs.atomic.rmw", cost("costs.atomic.rmw") + d);
    // iommu_group kobject get/put, group kref get (lookup) and put, viability: group and device
    // kref get/put, container_users inc/dec
    assertThat(m.get("group-lookup-saving-cycles")).isCloseTo(base.get("group-lookup-saving-cycles") + 10 * d, within(1e-6));
    assertThat(m.get("mutex-uncontended-cycles")).isCloseTo(base.get("mutex-uncontended-cycles"), within(1e-6));
    // get_task_mm + mmput (v5.10) against mmget_not_zero + mmput (v5.6): two each, they cancel
    assertThat(m.get("dma-rw-vs-kvm-1page-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-1page-cycles"), within(1e-6));
    assertThat(m.get("dma-rw-vs-kvm-20pages-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-20pages-cycles"), within(1e-6));
  }

  @Test
  void a_dearer_srcu_makes_the_kvm_path_dearer_by_exactly_that() {
    long d = 30;
    Map<String, Double> m = with("costs.srcu.acquire", cost("costs.srcu.acquire") + d);
    assertThat(m.get("dma-rw-vs-kvm-1page-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-1page-cycles") - d, within(1e-6));
    assertThat(m.get("dma-rw-vs-kvm-5pages-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-5pages-cycles") - d, within(1e-6));
    assertThat(m.get("dma-rw-vs-kvm-20pages-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-20pages-cycles") - d, within(1e-6));
    for (String id : List.of("mutex-uncontended-cycles", "group-lookup-saving-cycles", "contig-gup-calls-1-5-6-7-9",
        "contig-512-pages-time-change", "contig-1-page-time-change", "shadow-ctx-cycles-change")) {
      assertThat(m.get(id)).as(id).isCloseTo(base.get(id), within(1e-6));
    }
  }

  @Test
  void each_page_the_kvm_path_copies_separately_costs_a_memslot_lookup_and_a_copy_call() {
    long d = 10;
    Map<String, Double> m = with("costs.memslot-lookup", cost("costs.memslot-lookup") + d);
    assertThat(m.get("dma-rw-vs-kvm-1page-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-1page-cycles") - d, within(1e-6));
    assertThat(m.get("dma-rw-vs-kvm-5pages-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-5pages-cycles") - 5 * d, within(1e-6));
    assertThat(m.get("dma-rw-vs-kvm-20pages-cycles")).isCloseTo(base.get("dma-rw-vs-kvm-20pages-cycles") - 20 * d, within(1e-6));
    assertThat(m.get("group-lookup-saving-cycles")).isCloseTo(base.get("group-lookup-saving-cycles"), within(1e-6));
  }

  @Test
  void a_dearer_gup_call_moves_only_the_pinning_figures() {
    Map<String, Double> m = with("costs.gup.call", 2 * cost("costs.gup.call"));
    // one GUP call per page before the patch, one per run after it: a larger saving on 512 pages
    assertThat(m.get("contig-512-pages-time-change")).isLessThan(base.get("contig-512-pages-time-change"));
    for (String id : List.of("mutex-uncontended-cycles", "group-lookup-saving-cycles", "dma-rw-vs-kvm-1page-cycles",
        "dma-rw-vs-kvm-5pages-cycles", "dma-rw-vs-kvm-20pages-cycles", "contig-gup-calls-1-5-6-7-9",
        "shadow-ctx-cycles-change")) {
      assertThat(m.get(id)).as(id).isCloseTo(base.get(id), within(1e-6));
    }
  }
}
