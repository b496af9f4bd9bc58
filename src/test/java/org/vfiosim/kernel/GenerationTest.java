package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GenerationTest {
  @Test
  void idsParseBack() {
    assertThat(Generation.V5_6.id()).isEqualTo("v5.6");
    assertThat(Generation.V5_10.id()).isEqualTo("v5.10");
    assertThat(Generation.V5_10_CONTIG.id()).isEqualTo("v5.10-contig");
    for (Generation g : Generation.values()) {
      assertThat(Generation.parse(g.id())).contains(g);
    }
    assertThat(Generation.parse("v5.7")).isEmpty();
    assertThat(Generation.parse("V5_10")).isEmpty();
  }

  @Test
  void v56IsPreSeries() {
    Generation g = Generation.V5_6;
    assertThat(g.hasGroupApi()).isFalse();
    assertThat(g.kvmgtHoldsGroup()).isFalse();
    assertThat(g.hasDevCounter()).isFalse();
    assertThat(g.contiguousPin()).isFalse();
    assertThat(g.multiPageShadowContext()).isFalse();
    // pre-v5.8 vfio_pgsize_bitmap() takes iommu->lock before do_map/do_unmap lock it again
    assertThat(g.mapLocksTwice()).isTrue();
  }

  @Test
  void v510HasSeriesAndV58Features() {
    for (Generation g : new Generation[] {Generation.V5_10, Generation.V5_10_CONTIG}) {
      assertThat(g.hasGroupApi()).as(g.id()).isTrue();
      assertThat(g.kvmgtHoldsGroup()).as(g.id()).isTrue();
      assertThat(g.hasDevCounter()).as(g.id()).isTrue();
      assertThat(g.multiPageShadowContext()).as(g.id()).isTrue();
      assertThat(g.mapLocksTwice()).as(g.id()).isFalse();
    }
    assertThat(Generation.V5_10.contiguousPin()).isFalse();
    assertThat(Generation.V5_10_CONTIG.contiguousPin()).isTrue();
  }
}
