package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PfnPinCountsTest {
  @Test
  void countsPerPfn() {
    PfnPinCounts p = new PfnPinCounts();
    assertThat(p.increment(0)).isEqualTo(1);
    assertThat(p.increment(0)).isEqualTo(2);
    assertThat(p.increment(7)).isEqualTo(1);
    assertThat(p.get(0)).isEqualTo(2);
    assertThat(p.get(1)).isZero();
    assertThat(p.size()).isEqualTo(2);
    assertThat(p.total()).isEqualTo(3);
    assertThat(p.decrement(0)).isEqualTo(1);
    assertThat(p.decrement(0)).isZero();
    assertThat(p.get(0)).isZero();
    assertThat(p.size()).isEqualTo(1);
    assertThat(p.sortedPfns()).containsExactly(7);
    assertThatThrownBy(() -> p.decrement(0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void matchesAHashMapUnderRandomChurn() {
    long seed = 0x5eedL;
    Random r = new Random(seed);
    PfnPinCounts p = new PfnPinCounts();
    Map<Long, Integer> ref = new HashMap<>();
    for (int step = 0; step < 200_000; step++) {
      // a small key space with clustered values forces long probe chains and many deletions
      long pfn = (r.nextInt(3) == 0 ? 1L << 33 : 0) + r.nextInt(3000) * 64L;
      if (r.nextBoolean() || !ref.containsKey(pfn)) {
        int c = p.increment(pfn);
        ref.merge(pfn, 1, Integer::sum);
        assertThat(c).as("seed %d step %d", seed, step).isEqualTo(ref.get(pfn));
      } else {
        int c = p.decrement(pfn);
        int e = ref.merge(pfn, -1, Integer::sum);
        if (e == 0) {
          ref.remove(pfn);
        }
        assertThat(c).as("seed %d step %d", seed, step).isEqualTo(e);
      }
    }
    assertThat(p.size()).isEqualTo(ref.size());
    long total = 0;
    for (Map.Entry<Long, Integer> e : ref.entrySet()) {
      assertThat(p.get(e.getKey())).isEqualTo(e.getValue());
      total += e.getValue();
    }
    assertThat(p.total()).isEqualTo(total);
    assertThat(p.sortedPfns()).containsExactly(
        new TreeMap<>(ref).keySet().stream().mapToLong(Long::longValue).toArray());
  }
}
