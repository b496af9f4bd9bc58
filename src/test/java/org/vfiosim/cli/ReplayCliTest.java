package org.vfiosim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vfiosim replay}: output lines, summary, exit statuses 0/1/2 and --timing (script-format.md). */
class ReplayCliTest {
  @TempDir
  Path dir;

  private Path script(String text) throws IOException {
    Path p = dir.resolve("t.vfs");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void a_bad_cost_model_is_one_line_and_exit_2() throws IOException {
    Path p = script("vm vm1\n");
    Path negative = dir.resolve("neg.conf");
    Files.writeString(negative, "costs.gup.page = -1\n");
    Path fraction = dir.resolve("frac.conf");
    Files.writeString(fraction, "costs.mutex {\n  acquire = 1.5\n}\n");
    for (String[] c : new String[][] {{negative.toString(), negative + ":1: costs.gup.page must not be negative, got -1"},
        {fraction.toString(), fraction + ":2: costs.mutex.acquire must be a whole number of cycles, got '1.5'"}}) {
      CliTest.Result r = CliTest.cli("replay", p.toString(), "--costs", c[0]);
      assertThat(r.status()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).isEqualTo("vfiosim: " + c[1] + "\n");
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void prints_each_statement_and_the_summary() throws IOException {
    Path p = script("""
        vm vm1
        vgpu v1 vm=vm1
        VFIO_IOMMU_MAP_DMA vm1 iova=0 size=1G flags=READ,WRITE
        intel_vgpu_open v1
        vfio_group_pin_pages v1 pfns=0x10,0x10 expect=2
        vfio_group_pin_pages v1 pfns=0x0+513 expect=-E2BIG
        assert ref_count vm1 iova_pfn=0x10 == 2
        vfio_group_unpin_pages v1 pfns=0x10,0x10
        VFIO_IOMMU_UNMAP_DMA vm1 iova=0 size=1G
        """);
    CliTest.Result r = CliTest.cli("replay", p.toString());
    assertThat(r.status()).as(r.err() + r.out()).isZero();
    assertThat(r.out()).isEqualTo("""
        3: VFIO_IOMMU_MAP_DMA vm1 iova=0 size=1G flags=READ,WRITE = 0
        4: intel_vgpu_open v1 = 0
        5: vfio_group_pin_pages v1 pfns=0x10,0x10 expect=2 = 2
        6: vfio_group_pin_pages v1 pfns=0x0+513 expect=-E2BIG = -E2BIG
        7: assert ref_count vm1 iova_pfn=0x10 == 2 ok
        8: vfio_group_unpin_pages v1 pfns=0x10,0x10 = 2
        9: VFIO_IOMMU_UNMAP_DMA vm1 iova=0 size=1G = 0 size=0x40000000
        3 passed, 0 failed
        """);
  }

  @Test
  void a_failed_expectation_or_assertion_exits_1() throws IOException {
    Path p = script("""
        vm vm1
        vgpu v1 vm=vm1
        VFIO_IOMMU_MAP_DMA vm1 iova=0 size=1G flags=READ
        intel_vgpu_open v1
        vfio_dma_rw v1 iova=0x1000 len=4096 write expect=0
        assert pinned vm1 == 3
        """);
    CliTest.Result r = CliTest.cli("replay", p.toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).contains("5: vfio_dma_rw v1 iova=0x1000 len=4096 write expect=0 = -EPERM FAILED (expected 0)\n")
        .contains("6: assert pinned vm1 == 3 FAILED (got 0)\n")
        .endsWith("0 passed, 2 failed\n");
  }

  @Test
  void a_script_error_is_file_line_message_exit_2_and_nothing_runs() throws IOException {
    Path p = script("""
        vm vm1
        vgpu v1 vm=vm1
        VFIO_IOMMU_MAP_DMA vm1 iova=0 size=1G flags=READ,WRITE
        vfio_pin_page v1 pfns=0x10
        """);
    CliTest.Result r = CliTest.cli("replay", p.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("vfiosim: " + p + ":4: ").contains("vfio_pin_page");
    assertThat(r.err().strip().lines().count()).isEqualTo(1);

    Path g = script("generation v5.6\nvm vm1\nvgpu v1 vm=vm1\nvfio_group_pin_pages v1 pfns=0x1\n");
    r = CliTest.cli("replay", g.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains(":4: ").contains("v5.6");

    r = CliTest.cli("replay", dir.resolve("missing.vfs").toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).startsWith("vfiosim: ").contains("missing.vfs");
  }

  @Test
  void timing_appends_the_virtual_cycles_of_each_entry_point() throws IOException {
    Path p = script("""
        vm vm1
        vgpu v1 vm=vm1
        VFIO_IOMMU_MAP_DMA vm1 iova=0 size=1G flags=READ,WRITE
        intel_vgpu_open v1
        vfio_group_pin_pages v1 pfns=0x10 expect=1
        assert pinned vm1 == 1
        """);
    CliTest.Result r = CliTest.cli("replay", "--timing", p.toString());
    assertThat(r.status()).isZero();
    assertThat(r.out()).containsPattern("5: vfio_group_pin_pages v1 pfns=0x10 expect=1 = 1 \\(\\d+ cycles\\)\n")
        .contains("6: assert pinned vm1 == 1 ok\n");
  }
}
