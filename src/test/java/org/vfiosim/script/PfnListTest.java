package org.vfiosim.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PfnListTest {

  @Test
  void runsIterateInOrderWithDuplicates() {
    PfnList l =
        PfnList.of(
            List.of(new PfnList.Run(0x10, 1), new PfnList.Run(0x10, 1), new PfnList.Run(0x20, 3)));
    assertThat(l.count()).isEqualTo(5);
    assertThat(l.toArray()).containsExactly(0x10, 0x10, 0x20, 0x21, 0x22);
    assertThat(l.stream().toArray()).containsExactly(0x10, 0x10, 0x20, 0x21, 0x22);
    List<Long> it = new ArrayList<>();
    l.forEach(it::add);
    assertThat(it).containsExactly(0x10L, 0x10L, 0x20L, 0x21L, 0x22L);
    assertThat(l.get(0)).isEqualTo(0x10);
    assertThat(l.get(1)).isEqualTo(0x10);
    assertThat(l.get(2)).isEqualTo(0x20);
    assertThat(l.get(4)).isEqualTo(0x22);
    assertThatThrownBy(() -> l.get(5)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(l.toString()).isEqualTo("0x10,0x10,0x20+3");
  }

  @Test
  void emptyRunsAreSkipped() {
    PfnList l =
        PfnList.of(
            List.of(
                new PfnList.Run(0x5, 0),
                new PfnList.Run(0x10, 2),
                new PfnList.Run(0x99, 0),
                new PfnList.Run(0x30, 1)));
    assertThat(l.count()).isEqualTo(3);
    assertThat(l.toArray()).containsExactly(0x10, 0x11, 0x30);
    assertThat(l.get(0)).isEqualTo(0x10);
    assertThat(l.get(1)).isEqualTo(0x11);
    assertThat(l.get(2)).isEqualTo(0x30);
  }

  @Test
  void hugeRunIsNotMaterialised() {
    PfnList l = PfnList.of(List.of(new PfnList.Run(0, 100_000_000)));
    assertThat(l.count()).isEqualTo(100_000_000);
    assertThat(l.runs()).hasSize(1);
    assertThat(l.get(99_999_999)).isEqualTo(99_999_999L);
    assertThat(l.iterator().nextLong()).isZero();
  }

  @Test
  void totalMustFitAnInt() {
    assertThatThrownBy(
            () ->
                PfnList.of(
                    List.of(
                        new PfnList.Run(0, Integer.MAX_VALUE), new PfnList.Run(0, 1))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(PfnList.of(List.of(new PfnList.Run(0, Integer.MAX_VALUE))).count())
        .isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void runsDoNotWrap() {
    assertThat(new PfnList.Run(-1L, 1).last()).isEqualTo(-1L);
    assertThatThrownBy(() -> new PfnList.Run(-1L, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PfnList.Run(0, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void emptyAndEquality() {
    assertThat(PfnList.EMPTY.count()).isZero();
    assertThat(PfnList.EMPTY.isEmpty()).isTrue();
    assertThat(PfnList.EMPTY.toString()).isEmpty();
    assertThat(PfnList.of(List.of())).isSameAs(PfnList.EMPTY);
    assertThat(PfnList.ofPfns(1, 2)).isEqualTo(PfnList.ofPfns(1, 2)).isNotEqualTo(PfnList.ofPfns(2, 1));
    assertThat(PfnList.ofPfns(1, 2).hashCode()).isEqualTo(PfnList.ofPfns(1, 2).hashCode());
  }
}
