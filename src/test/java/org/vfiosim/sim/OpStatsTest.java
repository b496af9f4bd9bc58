package org.vfiosim.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-errno counts of failed calls: recorded, merged across shards, reset. */
class OpStatsTest {
  @Test
  void failed_calls_are_counted_by_errno_in_errno_order() {
    OpStats a = new OpStats("vfio_group_pin_pages");
    a.recordCall(100, 1, 1);
    a.recordCall(100, 1, -12);
    a.recordCall(100, 1, -12);
    a.recordCall(100, 1, Long.MIN_VALUE);
    a.recordCall(100, 1, -1);
    a.recordCall(100, 1, -100_000);
    assertThat(a.count()).isEqualTo(6);
    assertThat(a.errors()).isEqualTo(5);
    assertThat(a.errnos()).containsExactly(Map.entry("-EPERM", 1L), Map.entry("-ENOMEM", 2L), Map.entry("BUG", 1L),
        Map.entry("other", 1L));
    assertThat(List.copyOf(a.errnos().keySet())).containsExactly("-EPERM", "-ENOMEM", "BUG", "other");
  }

  @Test
  void merge_adds_and_reset_clears() {
    OpStats a = new OpStats("x");
    OpStats b = new OpStats("x");
    a.recordCall(10, 0, -28);
    b.recordCall(10, 0, -28);
    b.recordCall(10, 0, -4000);
    a.merge(b);
    assertThat(a.errnos()).containsExactly(Map.entry("-ENOSPC", 2L), Map.entry("-4000", 1L));
    assertThat(a.errors()).isEqualTo(3);
    a.reset();
    assertThat(a.errnos()).isEmpty();
    OpStats clean = new OpStats("y");
    clean.recordCall(10, 0, 0);
    clean.record(10, 0, true); // a failure recorded without its value is counted, not named
    assertThat(clean.errors()).isEqualTo(1);
    assertThat(clean.errnos()).isEmpty();
  }
}
