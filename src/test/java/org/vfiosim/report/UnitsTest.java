package org.vfiosim.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void cyclesToNanosecondsRoundsToNearest() {
    assertThat(Units.ns(0, 3.0)).isZero();
    assertThat(Units.ns(1, 3.0)).isZero();
    assertThat(Units.ns(2, 3.0)).isEqualTo(1);
    assertThat(Units.ns(3000, 3.0)).isEqualTo(1000);
    assertThat(Units.ns(3015, 3.0)).isEqualTo(1005);
    assertThat(Units.ns(1005, 1.0)).isEqualTo(1005);
    assertThat(Units.ns(299_999_999_999_970L, 3.0)).isEqualTo(99_999_999_999_990L);
  }
}
