package org.vfiosim.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every error path, with its exact {@code FILE:LINE: message}. */
class ScriptErrorTest {
  private static final String PRELUDE = "vm vm1\nvgpu v1 vm=vm1\n";

  /** {@code line} is line 3 of a script that declares vm1 and v1. */
  private static Arguments at3(String line, String detail) {
    return Arguments.of(PRELUDE + line + "\n", "t.vfs:3: " + detail);
  }

  private static Arguments script(String text, String message) {
    return Arguments.of(text, message);
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        // ---- unknown statements
        at3("vfio_pin_page v1 pfns=1", "unknown statement 'vfio_pin_page'"),
        at3("VFIO_IOMMU_MAP_DMa vm1", "unknown statement 'VFIO_IOMMU_MAP_DMa'"),
        at3("{", "unknown statement '{'"),
        at3("parallel{", "unknown statement 'parallel{'"),
        at3("assertx pinned vm1 == 0", "unknown statement 'assertx'"),
        at3("iova=0", "unknown statement 'iova=0'"),
        at3("bad\u0000word", "unknown statement 'bad\\u0000word'"),
        // ---- generation
        script("vm vm1\ngeneration v5.6\n", "t.vfs:2: generation must come before any other statement"),
        script("# c\nreset_counters\n\ngeneration v5.10\n", "t.vfs:4: generation must come before any other statement"),
        script("generation v5.6\ngeneration v5.6\n", "t.vfs:2: generation given twice (first at line 1)"),
        script("generation v5.7\n", "t.vfs:1: unknown generation 'v5.7' (v5.6, v5.10 or v5.10-contig)"),
        script("generation\n", "t.vfs:1: generation takes one of v5.6, v5.10, v5.10-contig"),
        script("generation v5.6 v5.10\n", "t.vfs:1: generation takes one of v5.6, v5.10, v5.10-contig"),
        // ---- entry points missing in the generation
        script("generation v5.6\nvm vm1\nvgpu v1 vm=vm1\n\n\n\n\n\nvfio_group_pin_pages v1 pfns=1\n",
            "t.vfs:9: vfio_group_pin_pages does not exist in generation v5.6"),
        script("generation v5.6\nvfio_group_unpin_pages v1 pfns=1\n",
            "t.vfs:2: vfio_group_unpin_pages does not exist in generation v5.6"),
        script("generation v5.6\nvfio_dma_rw v1 iova=0 len=1 read\n",
            "t.vfs:2: vfio_dma_rw does not exist in generation v5.6"),
        script("generation v5.6\nvfio_group_get_external_user_from_dev v1\n",
            "t.vfs:2: vfio_group_get_external_user_from_dev does not exist in generation v5.6"),
        script("generation v5.6\nparallel {\nvfio_group_put_external_user v1\n}\n",
            "t.vfs:3: vfio_group_put_external_user does not exist in generation v5.6"),
        // ---- unknown / misused names
        script("vm vm1\nvgpu v1 vm=vm1\n\nintel_vgpu_open v9\n", "t.vfs:4: unknown vGPU 'v9'"),
        script("intel_vgpu_open v1\nvm vm1\nvgpu v1 vm=vm1\n", "t.vfs:1: unknown vGPU 'v1'"),
        script("vm vm1\nqemu_exit vm2\nvm vm2\n", "t.vfs:2: unknown VM 'vm2'"),
        script("vgpu v1 vm=vm1\nvm vm1\n", "t.vfs:1: unknown VM 'vm1'"),
        at3("qemu_exit v1", "unknown VM 'v1' (it is a vGPU)"),
        at3("intel_vgpu_open vm1", "unknown vGPU 'vm1' (it is a VM)"),
        at3("mmio vm2 vaddr=0 size=4K", "unknown VM 'vm2'"),
        at3("vfio_dma_rw v1 iova=0 len=4 read ctx=vm2", "unknown VM 'vm2'"),
        at3("vfio_dma_rw v1 iova=0 len=4 read ctx=v1", "unknown VM 'v1' (it is a vGPU)"),
        at3("assert pinned vm7 == 0", "unknown VM 'vm7'"),
        at3("assert cache_entries vm1 == 0", "unknown vGPU 'vm1' (it is a VM)"),
        at3("VFIO_IOMMU_MAP_DMA", "missing VM for VFIO_IOMMU_MAP_DMA"),
        at3("VFIO_IOMMU_MAP_DMA iova=0 size=4K flags=READ", "missing VM for VFIO_IOMMU_MAP_DMA"),
        at3("intel_vgpu_open", "missing vGPU for intel_vgpu_open"),
        at3("mmio", "missing VM for mmio"),
        // ---- declarations
        at3("vm vm1", "duplicate VM 'vm1' (a VM declared at line 1)"),
        at3("vgpu v1 vm=vm1", "duplicate vGPU 'v1' (a vGPU declared at line 2)"),
        at3("vgpu vm1 vm=vm1", "duplicate name 'vm1' (a VM declared at line 1)"),
        at3("vm v1", "duplicate name 'v1' (a vGPU declared at line 2)"),
        at3("vm", "missing VM name for vm"),
        at3("vm mem=4G", "missing VM name for vm"),
        at3("vgpu", "missing vGPU name for vgpu"),
        at3("vm 1x", "bad VM name '1x' (a letter or _, then letters, digits, _ . -)"),
        at3("vgpu a,b vm=vm1", "bad vGPU name 'a,b' (a letter or _, then letters, digits, _ . -)"),
        at3("vm kthread", "'kthread' cannot be a VM name (ctx=kthread means a kernel thread)"),
        at3("vgpu v2", "missing argument vm= for vgpu"),
        at3("vgpu v2 vm=vm1 devices=0", "bad value '0' for devices (1 or more)"),
        at3("vgpu v2 vm=vm1 devices=4294967296", "bad value '4294967296' for devices (1 or more)"),
        at3("vgpu v2 vm=vm1 devices=two", "bad number 'two' for devices"),
        at3("mmio vm1 vaddr=0", "missing argument size= for mmio"),
        at3("mmio vm1 size=4K", "missing argument vaddr= for mmio"),
        // ---- param
        at3("param dma_entry_limt=5", "unknown param 'dma_entry_limt'"),
        at3("param dma_entry_limit", "param takes one NAME=VALUE (dma_entry_limit=N)"),
        at3("param", "param takes one NAME=VALUE (dma_entry_limit=N)"),
        at3("param dma_entry_limit=1 dma_entry_limit=2", "param takes one NAME=VALUE (dma_entry_limit=N)"),
        at3("param dma_entry_limit=x", "bad number 'x' for dma_entry_limit"),
        at3("param dma_entry_limit=0x100000000", "bad value '0x100000000' for dma_entry_limit (0 to 4294967295)"),
        // ---- arguments
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 sizee=4K flags=READ", "unknown argument 'sizee' for VFIO_IOMMU_MAP_DMA"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 flags=READ", "missing argument size= for VFIO_IOMMU_MAP_DMA"),
        at3("VFIO_IOMMU_MAP_DMA vm1 size=4K flags=READ", "missing argument iova= for VFIO_IOMMU_MAP_DMA"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K", "missing argument flags= for VFIO_IOMMU_MAP_DMA"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 iova=1 size=4K flags=READ", "duplicate argument iova= for VFIO_IOMMU_MAP_DMA"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova 0 size=4K flags=READ", "argument 'iova' of VFIO_IOMMU_MAP_DMA needs a value (iova=...)"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=READ READ", "unknown argument 'READ' for VFIO_IOMMU_MAP_DMA"),
        at3("VFIO_IOMMU_MAP_DMA vm1 =0 size=4K flags=READ", "bad argument '=0' for VFIO_IOMMU_MAP_DMA"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=READ expect=0 expect=0", "duplicate argument expect= for VFIO_IOMMU_MAP_DMA"),
        at3("VFIO_IOMMU_UNMAP_DMA vm1 iova=0 size=4K flags=READ", "unknown argument 'flags' for VFIO_IOMMU_UNMAP_DMA"),
        at3("qemu_exit vm1 vm1", "unknown argument 'vm1' for qemu_exit"),
        at3("reset_counters vm1", "unknown argument 'vm1' for reset_counters"),
        at3("intel_vgpu_open v1 }", "unknown argument '}' for intel_vgpu_open"),
        at3("vfio_pin_pages v1", "missing argument pfns= for vfio_pin_pages"),
        at3("vfio_unpin_pages v1 pfns=1 prot=READ", "unknown argument 'prot' for vfio_unpin_pages"),
        at3("vfio_group_unpin_pages v1 pfns=1 prot=READ", "unknown argument 'prot' for vfio_group_unpin_pages"),
        at3("vfio_dma_rw v1 iova=0 len=4", "missing read or write for vfio_dma_rw"),
        at3("vfio_dma_rw v1 iova=0 len=4 read write", "read and write are exclusive for vfio_dma_rw"),
        at3("vfio_dma_rw v1 iova=0 len=4 read read", "duplicate argument 'read' for vfio_dma_rw"),
        at3("vfio_dma_rw v1 iova=0 len=4 read=1", "argument 'read' of vfio_dma_rw takes no value"),
        at3("vfio_dma_rw v1 iova=0 read", "missing argument len= for vfio_dma_rw"),
        at3("kvmgt_rw_gpa v1 gpa=0 len=4", "missing read or write for kvmgt_rw_gpa"),
        at3("kvmgt_rw_gpa v1 gpa=0 len=4 write ctx=vm1", "unknown argument 'ctx' for kvmgt_rw_gpa"),
        at3("kvmgt_dma_map_guest_page v1 gfn=1", "missing argument size= for kvmgt_dma_map_guest_page"),
        at3("kvmgt_dma_unmap_guest_page v1 gfn=1 size=4K", "unknown argument 'size' for kvmgt_dma_unmap_guest_page"),
        at3("vm vm2 cap_ipc_lock cap_ipc_lock", "duplicate argument 'cap_ipc_lock' for vm"),
        at3("vm vm2 cap_ipc_lock=1", "argument 'cap_ipc_lock' of vm takes no value"),
        at3("vm vm2 memory=4G", "unknown argument 'memory' for vm"),
        at3("vm vm2 iommu_backed=yes", "argument 'iommu_backed' of vm takes no value"),
        at3("vm vm2 expect=0", "unknown argument 'expect' for vm"),
        // ---- numbers
        at3("vfio_pin_pages v1 pfns=x12", "bad number 'x12' for pfns"),
        at3("vfio_pin_pages v1 pfns=0x10,x12", "bad number 'x12' for pfns"),
        at3("vfio_pin_pages v1 pfns=0x10+", "bad number '' for pfns"),
        at3("vfio_pin_pages v1 pfns=0x10+1+1", "bad number '1+1' for pfns"),
        at3("vfio_pin_pages v1 pfns=-1", "bad number '-1' for pfns"),
        at3("vfio_pin_pages v1 pfns=0x10,", "empty element in pfns list '0x10,'"),
        at3("vfio_pin_pages v1 pfns=,", "empty element in pfns list ','"),
        at3("vfio_pin_pages v1 pfns=1,,2", "empty element in pfns list '1,,2'"),
        at3("vfio_pin_pages v1 pfns=0x0+0x100000000", "pfn list too long"),
        at3("vfio_pin_pages v1 pfns=0x0+0xffffffffffffffff", "pfn list too long"),
        at3("vfio_pin_pages v1 pfns=0x0+2147483647,1", "pfn list too long"),
        at3("vfio_pin_pages v1 pfns=0+1073741824,0+1073741824", "pfn list too long"),
        at3("vfio_pin_pages v1 pfns=0xffffffffffffffff+2", "pfn run '0xffffffffffffffff+2' goes past 0xffffffffffffffff"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=99999999999999999999 size=4K flags=READ", "bad number '99999999999999999999' for iova"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4k flags=READ", "bad number '4k' for size"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size= flags=READ", "bad number '' for size"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0x10000000000000000 size=4K flags=READ", "bad number '0x10000000000000000' for iova"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=-4096 size=4K flags=READ", "bad number '-4096' for iova"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K vaddr=0x7f0z flags=READ", "bad number '0x7f0z' for vaddr"),
        at3("vm vm2 mem=4GB", "bad number '4GB' for mem"),
        at3("vm vm2 memlock=lots", "bad number 'lots' for memlock"),
        at3("vfio_dma_rw v1 iova=0 len=1e3 read", "bad number '1e3' for len"),
        at3("kvmgt_dma_map_guest_page v1 gfn=1 size=8K", "bad size '8K' for kvmgt_dma_map_guest_page (4K, 64K or 2M)"),
        at3("kvmgt_dma_map_guest_page v1 gfn=1 size=1G", "bad size '1G' for kvmgt_dma_map_guest_page (4K, 64K or 2M)"),
        at3("kvmgt_dma_map_guest_page v1 gfn=1 size=huge", "bad number 'huge' for size"),
        at3("kvmgt_rw_gpa v1 gpa=0x len=1 read", "bad number '0x' for gpa"),
        // ---- flag values
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=READ|WRITE", "bad value 'READ|WRITE' for flags (READ, WRITE, READ,WRITE or a number)"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=read", "bad value 'read' for flags (READ, WRITE, READ,WRITE or a number)"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=", "bad value '' for flags (READ, WRITE, READ,WRITE or a number)"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=READ,READ", "bad value 'READ,READ' for flags (READ, WRITE, READ,WRITE or a number)"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=READ,", "bad value 'READ,' for flags (READ, WRITE, READ,WRITE or a number)"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=0x100000000", "bad value '0x100000000' for flags (READ, WRITE, READ,WRITE or a number)"),
        at3("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=3x", "bad value '3x' for flags (READ, WRITE, READ,WRITE or a number)"),
        at3("vfio_pin_pages v1 pfns=1 prot=EXEC", "bad value 'EXEC' for prot (READ, WRITE, READ,WRITE or a number)"),
        at3("vfio_group_pin_pages v1 pfns=1 prot=", "bad value '' for prot (READ, WRITE, READ,WRITE or a number)"),
        at3("vm vm2 backing=random", "bad value 'random' for backing (contiguous or scattered)"),
        at3("vm vm2 iommu=type2", "bad value 'type2' for iommu (type1v2 or type1)"),
        at3("vm vm2 iommu=", "bad value '' for iommu (type1v2 or type1)"),
        at3("vgpu v2 vm=vm1 notifier=buggy", "bad value 'buggy' for notifier (ok or ignore)"),
        at3("vfio_dma_rw v1 iova=0 len=1 read ctx=", "unknown VM ''"),
        // ---- expect
        at3("qemu_exit vm1 expect=-EFOO", "unknown errno '-EFOO'"),
        at3("qemu_exit vm1 expect=-E", "unknown errno '-E'"),
        at3("qemu_exit vm1 expect=EINVAL", "bad expect 'EINVAL' (errno names are written -EINVAL)"),
        at3("qemu_exit vm1 expect=-einval", "bad number '-einval' for expect"),
        at3("qemu_exit vm1 expect=bug", "bad number 'bug' for expect"),
        at3("qemu_exit vm1 expect=", "bad number '' for expect"),
        at3("qemu_exit vm1 expect=--1", "bad number '--1' for expect"),
        at3("qemu_exit vm1 expect=-9223372036854775809", "bad number '-9223372036854775809' for expect"),
        at3("reset_counters expect=ok", "bad number 'ok' for expect"),
        // ---- assert
        at3("assert", "missing quantity in assert"),
        at3("assert == 1", "missing quantity in assert"),
        at3("assert pins vm1 == 1", "unknown assert quantity 'pins'"),
        at3("assert pinned vm1 1", "missing '==' in assert pinned"),
        at3("assert pinned vm1 = 1", "missing '==' in assert pinned"),
        at3("assert pinned vm1 ==1", "missing '==' in assert pinned"),
        at3("assert pinned vm1 ==", "missing value after '==' in assert pinned"),
        at3("assert pinned vm1 == x", "bad number 'x' for the value of assert pinned"),
        at3("assert pinned vm1 == -1", "bad number '-1' for the value of assert pinned"),
        at3("assert pinned vm1 == 1 2", "unexpected '2' after the value of assert pinned"),
        at3("assert pinned vm1 == 1 == 1", "unexpected '==' after the value of assert pinned"),
        at3("assert pinned == 1", "missing VM for assert pinned"),
        at3("assert pinned vm1 extra == 1", "unknown argument 'extra' for assert pinned"),
        at3("assert pinned vm1 expect=0 == 1", "unknown argument 'expect' for assert pinned"),
        at3("assert ref_count vm1 == 1", "missing argument iova_pfn= for assert ref_count"),
        at3("assert ref_count vm1 iova_pfn=0x10 iova_pfn=0x10 == 1", "duplicate argument iova_pfn= for assert ref_count"),
        at3("assert ref_count vm1 iova_pfn=zz == 1", "bad number 'zz' for iova_pfn"),
        at3("assert ref_count vm1 pfn=1 == 1", "unknown argument 'pfn' for assert ref_count"),
        at3("assert ref_count v1 iova_pfn=1 == 1", "unknown VM 'v1' (it is a vGPU)"),
        at3("assert cache_kref v1 == 1", "missing argument gfn= for assert cache_kref"),
        at3("assert cache_kref vm1 gfn=1 == 1", "unknown vGPU 'vm1' (it is a VM)"),
        at3("assert container_users == 1", "missing vGPU for assert container_users"),
        at3("assert acquisitions == 1", "missing lock name for assert acquisitions"),
        at3("assert acquisitions &iommu->lock == 1", "missing owner for assert acquisitions &iommu->lock (a VM)"),
        at3("assert acquisitions &iommu->mutex vm1 == 1", "unknown lock '&iommu->mutex'"),
        at3("assert acquisitions -W vm1 == 1", "unknown lock '-W'"),
        at3("assert acquisitions &mm->mmap_sem-W vm1 == 1", "unknown lock '&mm->mmap_sem-W'"),
        at3("assert acquisitions vfio.group_lock vm1 == 1", "owner of vfio.group_lock must be host, not 'vm1'"),
        at3("assert acquisitions &iommu->lock host == 1", "unknown VM 'host'"),
        at3("assert acquisitions &iommu->lock v1 == 1", "unknown VM 'v1' (it is a vGPU)"),
        at3("assert acquisitions &vdev->cache_lock vm1 == 1", "unknown vGPU 'vm1' (it is a VM)"),
        at3("assert acquisitions &group->device_lock v2 == 1", "unknown vGPU 'v2'"),
        at3("assert acquisitions &gvt->sched_lock v1 == 1", "owner of &gvt->sched_lock must be gpuN, not 'v1'"),
        at3("assert acquisitions &gvt->sched_lock gpu == 1", "owner of &gvt->sched_lock must be gpuN, not 'gpu'"),
        at3("assert acquisitions kvm->srcu vm1 vm1 == 1", "unexpected 'vm1' in assert acquisitions"),
        // ---- parallel blocks
        at3("}", "'}' without an open parallel block"),
        script(PRELUDE + "parallel {\nqemu_exit vm1\n", "t.vfs:3: parallel block is never closed (missing '}')"),
        script(PRELUDE + "parallel {\nparallel {\n}\n}\n", "t.vfs:4: nested parallel block (the block at line 3 is still open)"),
        script(PRELUDE + "parallel {\n}\n}\n", "t.vfs:5: '}' without an open parallel block"),
        script(PRELUDE + "parallel {\n} qemu_exit vm1\n", "t.vfs:4: unexpected 'qemu_exit' after '}'"),
        at3("parallel", "expected 'parallel {' on a line of its own"),
        at3("parallel { qemu_exit vm1 }", "expected 'parallel {' on a line of its own"),
        at3("parallel (", "expected 'parallel {' on a line of its own"),
        script(PRELUDE + "parallel {\nvm vm2\n}\n", "t.vfs:4: vm is not allowed inside a parallel block"),
        script(PRELUDE + "parallel {\nvgpu v2 vm=vm1\n}\n", "t.vfs:4: vgpu is not allowed inside a parallel block"),
        script(PRELUDE + "parallel {\nmmio vm1 vaddr=0 size=4K\n}\n", "t.vfs:4: mmio is not allowed inside a parallel block"),
        script(PRELUDE + "parallel {\nparam dma_entry_limit=1\n}\n", "t.vfs:4: param is not allowed inside a parallel block"),
        script("parallel {\ngeneration v5.6\n}\n", "t.vfs:2: generation is not allowed inside a parallel block"),
        // ---- errors are reported at the first bad line
        script(PRELUDE + "qemu_exit vm9\nqemu_exit vm8\n", "t.vfs:3: unknown VM 'vm9'"),
        script(PRELUDE + "parallel {\nbogus\n", "t.vfs:4: unknown statement 'bogus'"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("errors")
  void reportsExactMessage(String text, String message) {
    ScriptError e = catchThrowableOfType(ScriptError.class, () -> ScriptParser.parse("t.vfs", text));
    assertThat(e).as("script:%n%s", text).isNotNull();
    assertThat(e.getMessage()).isEqualTo(message);
    assertThat(e.getMessage()).matches("^[^:]+:\\d+: .+$");
  }

  @Test
  void errorCarriesItsParts() {
    ScriptError e =
        catchThrowableOfType(ScriptError.class, () -> ScriptParser.parse("dir/x.vfs", "\n\nbogus\n"));
    assertThat(e.fileName()).isEqualTo("dir/x.vfs");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.detail()).isEqualTo("unknown statement 'bogus'");
    assertThat(e.getMessage()).isEqualTo("dir/x.vfs:3: unknown statement 'bogus'");
  }

  @Test
  void longGarbageIsCutInMessages() {
    String junk = "z".repeat(10_000);
    assertThatThrownBy(() -> ScriptParser.parse("t.vfs", junk))
        .isInstanceOf(ScriptError.class)
        .hasMessage("t.vfs:1: unknown statement '" + "z".repeat(60) + "...'");
  }

  @Test
  void lineSeparatorsInsideALineStayEscaped() {
    assertThatThrownBy(() -> ScriptParser.parse("t.vfs", "vm vm1\nqemu_exit vm1\u2028x\n"))
        .isInstanceOf(ScriptError.class)
        .hasMessage("t.vfs:2: unknown VM 'vm1\\u2028x'");
  }
}
