package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ProtTest {
  @Test
  void bits() {
    assertThat(Prot.IOMMU_READ).isEqualTo(1);
    assertThat(Prot.IOMMU_WRITE).isEqualTo(2);
    assertThat(Prot.has(Prot.RW, Prot.IOMMU_WRITE)).isTrue();
    assertThat(Prot.has(Prot.IOMMU_READ, Prot.RW)).isFalse();
    assertThat(Prot.has(Prot.IOMMU_READ, Prot.IOMMU_READ)).isTrue();
    assertThat(Prot.has(0, 0)).isTrue();
  }

  @Test
  void text() {
    assertThat(Prot.toString(3)).isEqualTo("READ,WRITE");
    assertThat(Prot.toString(1)).isEqualTo("READ");
    assertThat(Prot.toString(2)).isEqualTo("WRITE");
    assertThat(Prot.toString(0)).isEqualTo("NONE");
    assertThat(Prot.parse("READ,WRITE")).isEqualTo(OptionalInt.of(3));
    assertThat(Prot.parse("write,read")).isEqualTo(OptionalInt.of(3));
    assertThat(Prot.parse("READ")).isEqualTo(OptionalInt.of(1));
    assertThat(Prot.parse("READ,EXEC")).isEmpty();
    assertThat(Prot.parse("")).isEmpty();
  }

  @Test
  void mapFlagsBecomeProt() {
    assertThat(Prot.fromMapFlags(Prot.MAP_FLAG_READ)).isEqualTo(Prot.IOMMU_READ);
    assertThat(Prot.fromMapFlags(Prot.MAP_FLAG_WRITE)).isEqualTo(Prot.IOMMU_WRITE);
    assertThat(Prot.fromMapFlags(3)).isEqualTo(Prot.RW);
    assertThat(Prot.fromMapFlags(4)).isEqualTo(0);
  }
}
