package org.vfiosim.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class EventHeapTest {

  @RepeatedTest(20)
  void pops_in_time_then_key_order(org.junit.jupiter.api.RepetitionInfo info) {
    long seed = 1000 + info.getCurrentRepetition();
    Random r = new Random(seed);
    EventHeap h = new EventHeap();
    List<long[]> in = new ArrayList<>();
    int n = 1 + r.nextInt(3000);
    for (int i = 0; i < n; i++) {
      long time = r.nextInt(50);
      long key = Keys.of(r.nextInt(1000), i);
      SimThread t = new SimThread(i, "t" + i, null, false);
      in.add(new long[] {time, key, i});
      h.push(time, key, t);
    }
    in.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
    for (long[] e : in) {
      assertThat(h.peekTime()).as("seed %d", seed).isEqualTo(e[0]);
      assertThat(h.peekKey()).as("seed %d", seed).isEqualTo(e[1]);
      assertThat(h.pop().id).as("seed %d", seed).isEqualTo((int) e[2]);
    }
    assertThat(h.isEmpty()).isTrue();
  }

  @Test
  void keys_order_by_source_then_sequence() {
    assertThat(Keys.of(1, 99)).isLessThan(Keys.of(2, 0));
    assertThat(Keys.of(3, 4)).isLessThan(Keys.of(3, 5));
    assertThat(Keys.before(5, Keys.of(9, 9), 6, Keys.of(0, 0))).isTrue();
    assertThat(Keys.before(5, Keys.of(1, 1), 5, Keys.of(1, 1))).isFalse();
  }
}
