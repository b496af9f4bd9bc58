package org.vfiosim.script;

import org.vfiosim.kernel.Generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Realistic multi-line scripts (in the style of §8 of the semantics reference) must parse. */
class ScriptExamplesTest {

  static Stream<String> scripts() {
    return Stream.of(
        "pin-twice-unpin.vfs",
        "unmap-retry-bug.vfs",
        "parallel-unmap-vs-pin.vfs",
        "rlimit-memlock.vfs",
        "kvmgt-cache.vfs",
        "v56-device-api.vfs",
        "dma-rw-and-lifecycle.vfs",
        "contig-pin.vfs");
  }

  static Script load(String name) throws Exception {
    return ScriptParser.parseFile(path(name));
  }

  static Path path(String name) throws URISyntaxException {
    return Path.of(ScriptExamplesTest.class.getResource("/scripts/" + name).toURI());
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void parses(String name) throws Exception {
    Script s = load(name);
    assertThat(s.statements()).isNotEmpty();
    assertThat(s.fileName()).endsWith(name);
    int previous = 0;
    for (Stmt st : s.statements()) {
      assertThat(st.line()).isGreaterThan(previous);
      assertThat(st.text()).doesNotContain("#").isEqualTo(st.text().strip());
      previous = st.line();
    }
  }

  @Test
  void pinTwiceAndUnpin() throws Exception {
    Script s = load("pin-twice-unpin.vfs");
    assertThat(s.generation()).isEqualTo(Generation.V5_10);
    assertThat(s.generationLine()).isEqualTo(3);
    List<Stmt> st = s.statements();
    Call.GroupPinPages second = (Call.GroupPinPages) find(st, 13);
    assertThat(second.text()).isEqualTo("vfio_group_pin_pages v1 pfns=0x10 expect=1");
    assertThat(second.pfns()).isEqualTo(PfnList.ofPfns(0x10));
    assertThat(second.expect()).contains(new Expect.Ret(1, "1"));
    Call.GroupPinPages pair = (Call.GroupPinPages) find(st, 19);
    assertThat(pair.pfns().toArray()).containsExactly(0x20, 0x20);
    Call.GroupPinPages empty = (Call.GroupPinPages) find(st, 31);
    assertThat(empty.pfns().count()).isZero();
    assertThat(empty.expect()).contains(new Expect.Ret(-22, "-EINVAL"));
    Call.GroupPinPages big = (Call.GroupPinPages) find(st, 32);
    assertThat(big.pfns().count()).isEqualTo(513);
    assertThat(big.expect()).contains(new Expect.Ret(-7, "-E2BIG"));
    Assert a = (Assert) find(st, 14);
    assertThat(a.quantity()).isEqualTo(new Quantity.RefCount("vm1", 0x10));
    assertThat(a.expected()).isEqualTo(2);
  }

  @Test
  void unmapRetryBug() throws Exception {
    Script s = load("unmap-retry-bug.vfs");
    assertThat(s.vgpus().get("v1").notifier()).isEqualTo(Setup.Notifier.IGNORE);
    assertThat(s.vgpus().get("v2").notifier()).isEqualTo(Setup.Notifier.OK);
    Call.UnmapDma u = (Call.UnmapDma) find(s.statements(), 16);
    assertThat(u.expect()).contains(new Expect.Bug());
    assertThat(((Assert) find(s.statements(), 17)).expected()).isEqualTo(11);
    assertThat(((Assert) find(s.statements(), 23)).expected()).isEqualTo(0x40000000L);
  }

  @Test
  void parallelBlock() throws Exception {
    Script s = load("parallel-unmap-vs-pin.vfs");
    Parallel p =
        s.statements().stream()
            .filter(Parallel.class::isInstance)
            .map(Parallel.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(p.line()).isEqualTo(13);
    assertThat(p.body()).extracting(Stmt::line).containsExactly(14, 15, 16);
    assertThat(p.body().get(0)).isInstanceOf(Call.UnmapDma.class);
    assertThat(p.body().get(1)).isInstanceOf(Call.GroupPinPages.class);
    assertThat(p.body().get(2)).isInstanceOf(Call.KvmgtRwGpa.class);
    assertThat(s.statements().get(s.statements().size() - 1)).isInstanceOf(Assert.class);
  }

  @Test
  void rlimitVms() throws Exception {
    Script s = load("rlimit-memlock.vfs");
    assertThat(s.vms().get("small").memlockPages()).isEqualTo(10);
    assertThat(s.vms().get("small").capIpcLock()).isFalse();
    assertThat(s.vms().get("capped").capIpcLock()).isTrue();
    assertThat(s.vms().get("backed").iommuBacked()).isTrue();
    assertThat(((Call.GroupPinPages) find(s.statements(), 18)).expect())
        .contains(new Expect.Ret(-12, "-ENOMEM"));
  }

  @Test
  void v56UsesDeviceApiAndNamesEveryLock() throws Exception {
    Script s = load("v56-device-api.vfs");
    assertThat(s.generation()).isEqualTo(Generation.V5_6);
    assertThat(s.statements()).filteredOn(Call.PinPages.class::isInstance).hasSize(1);
    assertThat(s.statements())
        .filteredOn(Assert.class::isInstance)
        .extracting(st -> ((Assert) st).quantity())
        .filteredOn(Quantity.Acquisitions.class::isInstance)
        .hasSize(11);
    assertThat(find(s.statements(), 6)).isEqualTo(new Setup.Mmio(6, "mmio vm1 vaddr=0x7f8000000000 size=2M", "vm1", 0x7f8000000000L, 2 << 20));
  }

  @Test
  void dmaRwCallers() throws Exception {
    Script s = load("dma-rw-and-lifecycle.vfs");
    Call.DmaRw other = (Call.DmaRw) find(s.statements(), 17);
    assertThat(other.caller()).isEqualTo(new Call.VmThread("other"));
    Call.DmaRw kthread = (Call.DmaRw) find(s.statements(), 12);
    assertThat(kthread.caller()).isEqualTo(new Call.Kthread());
    Call.MapDma noFlags = (Call.MapDma) find(s.statements(), 8);
    assertThat(noFlags.flags()).isZero();
    assertThat(noFlags.vaddr()).isEqualTo(0x7f0000200000L);
  }

  @Test
  void contigGeneration() throws Exception {
    Script s = load("contig-pin.vfs");
    assertThat(s.generation()).isEqualTo(Generation.V5_10_CONTIG);
    assertThat(s.vms().get("vm1").dmaEntryLimit()).isEqualTo(100);
    Call.GroupPinPages p =
        (Call.GroupPinPages)
            s.statements().stream().filter(Call.GroupPinPages.class::isInstance).findFirst().orElseThrow();
    assertThat(p.pfns().runs())
        .containsExactly(new PfnList.Run(1, 1), new PfnList.Run(5, 3), new PfnList.Run(9, 1));
    assertThat(p.pfns().toArray()).containsExactly(1, 5, 6, 7, 9);
  }

  private static Stmt find(List<Stmt> statements, int line) {
    Optional<Stmt> s = statements.stream().filter(x -> x.line() == line).findFirst();
    assertThat(s).as("statement at line %d", line).isPresent();
    return s.get();
  }
}
