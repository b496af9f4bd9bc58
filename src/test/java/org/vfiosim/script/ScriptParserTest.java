package org.vfiosim.script;

import org.vfiosim.kernel.Generation;
import org.vfiosim.kernel.Errno;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every statement form, with defaults and with every option. */
class ScriptParserTest {
  static final String PRELUDE = "vm vm1\nvgpu v1 vm=vm1\n";

  static Script parse(String text) {
    try {
      return ScriptParser.parse("t.vfs", text);
    } catch (ScriptError e) {
      throw new AssertionError("unexpected " + e.getMessage(), e);
    }
  }

  /** The last top-level statement of PRELUDE + line (which is line 3). */
  static <T> T stmt(String line, Class<T> type) {
    Script s = parse(PRELUDE + line + "\n");
    Stmt last = s.statements().get(s.statements().size() - 1);
    assertThat(last.line()).isEqualTo(3);
    assertThat(last).isInstanceOf(type);
    return type.cast(last);
  }

  // ------------------------------------------------------------ whole script

  @Test
  void emptyScriptHasDefaults() {
    Script s = parse("");
    assertThat(s.fileName()).isEqualTo("t.vfs");
    assertThat(s.generation()).isEqualTo(Generation.V5_10);
    assertThat(s.generationLine()).isZero();
    assertThat(s.dmaEntryLimit()).isEqualTo(65535);
    assertThat(s.params()).containsEntry(Setup.ParamName.DMA_ENTRY_LIMIT, 65535L);
    assertThat(s.vms()).isEmpty();
    assertThat(s.vgpus()).isEmpty();
    assertThat(s.statements()).isEmpty();
  }

  @Test
  void commentsBlankLinesAndCrlfAreIgnored() {
    Script s =
        parse("# header\r\n\r\n   \t\n  generation v5.6   # old one\r\nvm vm1 # the VM\r\n#vm vm2\n");
    assertThat(s.generation()).isEqualTo(Generation.V5_6);
    assertThat(s.generationLine()).isEqualTo(4);
    assertThat(s.statements()).hasSize(1);
    Setup.Vm vm = (Setup.Vm) s.statements().get(0);
    assertThat(vm.line()).isEqualTo(5);
    assertThat(vm.text()).isEqualTo("vm vm1");
  }

  @Test
  void sourceTextIsTrimmedWithoutCommentButOtherwiseAsWritten() {
    Call.QemuExit q = stmt("\t qemu_exit   vm1\texpect=0  # bye", Call.QemuExit.class);
    assertThat(q.text()).isEqualTo("qemu_exit   vm1\texpect=0");
  }

  @Test
  void generations() {
    assertThat(parse("generation v5.6").generation()).isEqualTo(Generation.V5_6);
    assertThat(parse("generation v5.10").generation()).isEqualTo(Generation.V5_10);
    assertThat(parse("generation v5.10-contig").generation()).isEqualTo(Generation.V5_10_CONTIG);
    assertThat(parse("# c\n\ngeneration v5.10-contig").generationLine()).isEqualTo(3);
  }

  @Test
  void groupApiExistsFromV57() {
    String body =
        "vm vm1\nvgpu v1 vm=vm1\n"
            + "vfio_group_pin_pages v1 pfns=1\nvfio_group_unpin_pages v1 pfns=1\n"
            + "vfio_dma_rw v1 iova=0 len=1 read\n"
            + "vfio_group_get_external_user_from_dev v1\nvfio_group_put_external_user v1\n";
    assertThat(parse("generation v5.10\n" + body).statements()).hasSize(7);
    assertThat(parse("generation v5.10-contig\n" + body).statements()).hasSize(7);
    for (EntryPoint e : EntryPoint.values()) {
      assertThat(e.existsIn(Generation.V5_10)).isTrue();
      assertThat(e.existsIn(Generation.V5_10_CONTIG)).isTrue();
    }
  }

  @Test
  void everyOtherEntryPointExistsInV56() {
    Script s =
        parse(
            "generation v5.6\nvm vm1\nvgpu v1 vm=vm1\n"
                + "VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=READ\n"
                + "VFIO_IOMMU_UNMAP_DMA vm1 iova=0 size=4K\n"
                + "VFIO_GROUP_UNSET_CONTAINER v1\nintel_vgpu_open v1\nintel_vgpu_release v1\n"
                + "vfio_pin_pages v1 pfns=1\nvfio_unpin_pages v1 pfns=1\n"
                + "kvmgt_dma_map_guest_page v1 gfn=1 size=4K\nkvmgt_dma_unmap_guest_page v1 gfn=1\n"
                + "kvmgt_rw_gpa v1 gpa=0 len=8 read\nqemu_exit vm1\nreset_counters\n");
    assertThat(s.statements()).hasSize(14);
  }

  // ------------------------------------------------------------ setup

  @Test
  void paramSnapshotsIntoLaterVms() {
    Script s = parse("vm a\nparam dma_entry_limit=10\nvm b\nparam dma_entry_limit=0x20\nvm c\n");
    assertThat(s.vms().get("a").dmaEntryLimit()).isEqualTo(65535);
    assertThat(s.vms().get("b").dmaEntryLimit()).isEqualTo(10);
    assertThat(s.vms().get("c").dmaEntryLimit()).isEqualTo(32);
    assertThat(s.dmaEntryLimit()).isEqualTo(32);
    Setup.Param p = (Setup.Param) s.statements().get(1);
    assertThat(p).isEqualTo(new Setup.Param(2, "param dma_entry_limit=10", Setup.ParamName.DMA_ENTRY_LIMIT, 10));
    assertThat(parse("param dma_entry_limit=4294967295").dmaEntryLimit()).isEqualTo(4294967295L);
    assertThat(parse("param dma_entry_limit=0").dmaEntryLimit()).isZero();
  }

  @Test
  void vmDefaults() {
    Script s = parse("vm vm1");
    Setup.Vm vm = s.vms().get("vm1");
    assertThat(vm)
        .isEqualTo(
            new Setup.Vm(
                1, "vm vm1", "vm1", 4L << 30, Setup.Vm.MEMLOCK_UNLIMITED, false,
                Setup.IommuType.TYPE1V2, false, Setup.Backing.CONTIGUOUS, 65535));
    assertThat(vm.memlockUnlimited()).isTrue();
    assertThat(s.statements()).containsExactly(vm);
  }

  @Test
  void vmWithEveryOption() {
    Setup.Vm vm =
        parse("vm big mem=8G memlock=1024 cap_ipc_lock iommu=type1 iommu_backed backing=scattered")
            .vms()
            .get("big");
    assertThat(vm.mem()).isEqualTo(8L << 30);
    assertThat(vm.memlockPages()).isEqualTo(1024);
    assertThat(vm.memlockUnlimited()).isFalse();
    assertThat(vm.capIpcLock()).isTrue();
    assertThat(vm.iommu()).isEqualTo(Setup.IommuType.TYPE1);
    assertThat(vm.iommuBacked()).isTrue();
    assertThat(vm.backing()).isEqualTo(Setup.Backing.SCATTERED);
  }

  @Test
  void vmOptionsInAnyOrderAndExplicitDefaults() {
    Setup.Vm vm =
        parse("vm x backing=contiguous iommu=type1v2 memlock=unlimited mem=0x1000").vms().get("x");
    assertThat(vm.mem()).isEqualTo(0x1000);
    assertThat(vm.memlockUnlimited()).isTrue();
    assertThat(vm.iommu()).isEqualTo(Setup.IommuType.TYPE1V2);
    assertThat(vm.backing()).isEqualTo(Setup.Backing.CONTIGUOUS);
    assertThat(parse("vm x memlock=0xffffffffffffffff").vms().get("x").memlockUnlimited()).isTrue();
    assertThat(parse("vm x memlock=0").vms().get("x").memlockPages()).isZero();
  }

  @Test
  void mmio() {
    Setup.Mmio m = stmt("mmio vm1 vaddr=0x7f0100000000 size=2M", Setup.Mmio.class);
    assertThat(m).isEqualTo(new Setup.Mmio(3, "mmio vm1 vaddr=0x7f0100000000 size=2M", "vm1", 0x7f0100000000L, 2L << 20));
  }

  @Test
  void vgpuDefaultsAndOptions() {
    Script s = parse("vm vm1\nvgpu v1 vm=vm1\nvgpu v2 notifier=ignore devices=2 vm=vm1\nvgpu v3 vm=vm1 notifier=ok");
    assertThat(s.vgpus().get("v1"))
        .isEqualTo(new Setup.Vgpu(2, "vgpu v1 vm=vm1", "v1", "vm1", 1, Setup.Notifier.OK));
    assertThat(s.vgpus().get("v2").devices()).isEqualTo(2);
    assertThat(s.vgpus().get("v2").notifier()).isEqualTo(Setup.Notifier.IGNORE);
    assertThat(s.vgpus().get("v3").notifier()).isEqualTo(Setup.Notifier.OK);
    assertThat(s.vgpus().keySet()).containsExactly("v1", "v2", "v3");
  }

  @Test
  void declarationsMayComeAnywhereAtTopLevel() {
    Script s = parse("vm vm1\nqemu_exit vm1\nvm vm2\nvgpu v2 vm=vm2\nintel_vgpu_open v2");
    assertThat(s.statements()).hasSize(5);
    assertThat(s.vms().keySet()).containsExactly("vm1", "vm2");
  }

  // ------------------------------------------------------------ entry points

  @Test
  void mapDmaDefaults() {
    Call.MapDma m = stmt("VFIO_IOMMU_MAP_DMA vm1 iova=0x100000 size=1G flags=READ,WRITE", Call.MapDma.class);
    assertThat(m.vm()).isEqualTo("vm1");
    assertThat(m.iova()).isEqualTo(0x100000);
    assertThat(m.size()).isEqualTo(1L << 30);
    assertThat(m.vaddr()).isEqualTo(0x7f0000000000L + 0x100000);
    assertThat(m.flags()).isEqualTo(Call.READ | Call.WRITE);
    assertThat(m.expect()).isEmpty();
    assertThat(m.entryPoint()).isEqualTo(EntryPoint.VFIO_IOMMU_MAP_DMA);
  }

  @Test
  void mapDmaAllOptions() {
    Call.MapDma m =
        stmt("VFIO_IOMMU_MAP_DMA vm1 flags=READ vaddr=0x7f1000000000 size=4096 iova=0 expect=-EEXIST", Call.MapDma.class);
    assertThat(m.vaddr()).isEqualTo(0x7f1000000000L);
    assertThat(m.flags()).isEqualTo(Call.READ);
    assertThat(m.expect()).contains(new Expect.Ret(-17, "-EEXIST"));
    assertThat(stmt("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=WRITE", Call.MapDma.class).flags())
        .isEqualTo(Call.WRITE);
    assertThat(stmt("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=WRITE,READ", Call.MapDma.class).flags())
        .isEqualTo(3);
    // numeric flags (an addition): no READ/WRITE, or an unknown bit, for the kernel's -EINVAL paths
    assertThat(stmt("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=0", Call.MapDma.class).flags()).isZero();
    assertThat(stmt("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=4K flags=0x4", Call.MapDma.class).flags()).isEqualTo(4);
    assertThat(stmt("VFIO_IOMMU_MAP_DMA vm1 iova=0 size=0 flags=3", Call.MapDma.class).size()).isZero();
  }

  @Test
  void unmapDma() {
    Call.UnmapDma u = stmt("VFIO_IOMMU_UNMAP_DMA vm1 iova=0 size=1G expect=0", Call.UnmapDma.class);
    assertThat(u).isEqualTo(new Call.UnmapDma(3, "VFIO_IOMMU_UNMAP_DMA vm1 iova=0 size=1G expect=0", "vm1", 0, 1L << 30, Optional.of(new Expect.Ret(0, "0"))));
  }

  @Test
  void simpleVgpuCalls() {
    assertThat(stmt("VFIO_GROUP_UNSET_CONTAINER v1 expect=-EBUSY", Call.UnsetContainer.class))
        .isEqualTo(new Call.UnsetContainer(3, "VFIO_GROUP_UNSET_CONTAINER v1 expect=-EBUSY", "v1", Optional.of(new Expect.Ret(-16, "-EBUSY"))));
    assertThat(stmt("intel_vgpu_open v1", Call.VgpuOpen.class).vgpu()).isEqualTo("v1");
    assertThat(stmt("intel_vgpu_open v1 expect=-ESRCH", Call.VgpuOpen.class).expect())
        .contains(new Expect.Ret(-3, "-ESRCH"));
    assertThat(stmt("intel_vgpu_release v1", Call.VgpuRelease.class).vgpu()).isEqualTo("v1");
    assertThat(stmt("vfio_group_get_external_user_from_dev v1 expect=-ENODEV", Call.GetExternalUser.class).expect())
        .contains(new Expect.Ret(-19, "-ENODEV"));
    assertThat(stmt("vfio_group_put_external_user v1", Call.PutExternalUser.class).vgpu()).isEqualTo("v1");
    assertThat(stmt("qemu_exit vm1", Call.QemuExit.class).vm()).isEqualTo("vm1");
    assertThat(stmt("reset_counters", Call.ResetCounters.class).expect()).isEmpty();
    assertThat(stmt("reset_counters expect=0", Call.ResetCounters.class).expect()).isPresent();
  }

  @Test
  void pinPagesDefaultsAndProt() {
    Call.PinPages p = stmt("vfio_pin_pages v1 pfns=0x10", Call.PinPages.class);
    assertThat(p.pfns()).isEqualTo(PfnList.ofPfns(0x10));
    assertThat(p.prot()).isEqualTo(Call.DEFAULT_PROT).isEqualTo(3);
    assertThat(stmt("vfio_pin_pages v1 pfns=0x10 prot=READ", Call.PinPages.class).prot()).isEqualTo(Call.READ);
    assertThat(stmt("vfio_pin_pages v1 prot=WRITE pfns=0x10", Call.PinPages.class).prot()).isEqualTo(Call.WRITE);
    Call.GroupPinPages g = stmt("vfio_group_pin_pages v1 pfns=0x10,0x10 prot=READ,WRITE expect=2", Call.GroupPinPages.class);
    assertThat(g.pfns().count()).isEqualTo(2);
    assertThat(g.pfns().toArray()).containsExactly(0x10, 0x10);
    assertThat(g.prot()).isEqualTo(3);
    assertThat(g.expect()).contains(new Expect.Ret(2, "2"));
    assertThat(g.entryPoint()).isEqualTo(EntryPoint.VFIO_GROUP_PIN_PAGES);
  }

  @Test
  void pfnLists() {
    assertThat(stmt("vfio_group_pin_pages v1 pfns=", Call.GroupPinPages.class).pfns()).isEqualTo(PfnList.EMPTY);
    PfnList l = stmt("vfio_group_pin_pages v1 pfns=0x0+513", Call.GroupPinPages.class).pfns();
    assertThat(l.count()).isEqualTo(513);
    assertThat(l.runs()).containsExactly(new PfnList.Run(0, 513));
    PfnList m = stmt("vfio_group_pin_pages v1 pfns=1,5+3,9,5", Call.GroupPinPages.class).pfns();
    assertThat(m.toArray()).containsExactly(1, 5, 6, 7, 9, 5);
    PfnList huge = stmt("vfio_group_pin_pages v1 pfns=0x0+100000000", Call.GroupPinPages.class).pfns();
    assertThat(huge.count()).isEqualTo(100_000_000);
    assertThat(huge.runs()).hasSize(1);
    PfnList max = stmt("vfio_group_pin_pages v1 pfns=0x0+2147483646,7", Call.GroupPinPages.class).pfns();
    assertThat(max.count()).isEqualTo(Integer.MAX_VALUE);
    PfnList top = stmt("vfio_group_pin_pages v1 pfns=0xfffffffffffffffe+2", Call.GroupPinPages.class).pfns();
    assertThat(top.toArray()).containsExactly(-2L, -1L);
    assertThat(stmt("vfio_group_pin_pages v1 pfns=0x10+0", Call.GroupPinPages.class).pfns().count()).isZero();
    assertThat(stmt("vfio_group_pin_pages v1 pfns=2+1K", Call.GroupPinPages.class).pfns().count()).isEqualTo(1024);
  }

  @Test
  void unpinPages() {
    Call.UnpinPages u = stmt("vfio_unpin_pages v1 pfns=0x10", Call.UnpinPages.class);
    assertThat(u).isEqualTo(new Call.UnpinPages(3, "vfio_unpin_pages v1 pfns=0x10", "v1", PfnList.ofPfns(0x10), Optional.empty()));
    Call.GroupUnpinPages g = stmt("vfio_group_unpin_pages v1 pfns=0x10,0x20+2 expect=1", Call.GroupUnpinPages.class);
    assertThat(g.pfns().toArray()).containsExactly(0x10, 0x20, 0x21);
    assertThat(g.expect()).contains(new Expect.Ret(1, "1"));
  }

  @Test
  void dmaRw() {
    Call.DmaRw r = stmt("vfio_dma_rw v1 iova=0x1000 len=4096 write", Call.DmaRw.class);
    assertThat(r.iova()).isEqualTo(0x1000);
    assertThat(r.len()).isEqualTo(4096);
    assertThat(r.direction()).isEqualTo(Call.Direction.WRITE);
    assertThat(r.direction().isWrite()).isTrue();
    assertThat(r.caller()).isEqualTo(new Call.Kthread());
    Call.DmaRw r2 = stmt("vfio_dma_rw v1 read ctx=vm1 len=12K iova=0 expect=-EFAULT", Call.DmaRw.class);
    assertThat(r2.direction()).isEqualTo(Call.Direction.READ);
    assertThat(r2.caller()).isEqualTo(new Call.VmThread("vm1"));
    assertThat(r2.len()).isEqualTo(12 * 1024);
    assertThat(stmt("vfio_dma_rw v1 iova=0 len=0 read ctx=kthread", Call.DmaRw.class).caller())
        .isEqualTo(new Call.Kthread());
  }

  @Test
  void kvmgtCalls() {
    Call.KvmgtDmaMap m = stmt("kvmgt_dma_map_guest_page v1 gfn=0x100 size=4K", Call.KvmgtDmaMap.class);
    assertThat(m.gfn()).isEqualTo(0x100);
    assertThat(m.size()).isEqualTo(Call.KvmgtDmaMap.SIZE_4K);
    assertThat(stmt("kvmgt_dma_map_guest_page v1 gfn=0 size=64K", Call.KvmgtDmaMap.class).size()).isEqualTo(65536);
    assertThat(stmt("kvmgt_dma_map_guest_page v1 gfn=0 size=2M expect=-EINVAL", Call.KvmgtDmaMap.class).size())
        .isEqualTo(2 << 20);
    assertThat(stmt("kvmgt_dma_map_guest_page v1 gfn=0 size=0x200000", Call.KvmgtDmaMap.class).size()).isEqualTo(2 << 20);
    assertThat(stmt("kvmgt_dma_unmap_guest_page v1 gfn=7", Call.KvmgtDmaUnmap.class).gfn()).isEqualTo(7);
    Call.KvmgtRwGpa rw = stmt("kvmgt_rw_gpa v1 gpa=0x2000 len=64 read expect=0", Call.KvmgtRwGpa.class);
    assertThat(rw).isEqualTo(new Call.KvmgtRwGpa(3, "kvmgt_rw_gpa v1 gpa=0x2000 len=64 read expect=0", "v1", 0x2000, 64, Call.Direction.READ, Optional.of(new Expect.Ret(0, "0"))));
    assertThat(stmt("kvmgt_rw_gpa v1 write gpa=0 len=1", Call.KvmgtRwGpa.class).direction()).isEqualTo(Call.Direction.WRITE);
  }

  @Test
  void expectValues() {
    assertThat(stmt("qemu_exit vm1 expect=BUG", Call.QemuExit.class).expect()).contains(new Expect.Bug());
    assertThat(stmt("qemu_exit vm1 expect=-22", Call.QemuExit.class).expect()).contains(new Expect.Ret(-22, "-22"));
    assertThat(stmt("qemu_exit vm1 expect=-0x16", Call.QemuExit.class).expect()).contains(new Expect.Ret(-22, "-0x16"));
    assertThat(stmt("qemu_exit vm1 expect=0x200", Call.QemuExit.class).expect()).contains(new Expect.Ret(512, "0x200"));
    assertThat(stmt("qemu_exit vm1 expect=-EDEADLK", Call.QemuExit.class).expect()).contains(new Expect.Ret(-35, "-EDEADLK"));
    assertThat(stmt("qemu_exit vm1 expect=-E2BIG", Call.QemuExit.class).expect()).contains(new Expect.Ret(-7, "-E2BIG"));
    for (String e : List.of("EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "E2BIG", "ENOMEM", "EACCES", "EFAULT",
        "EBUSY", "EEXIST", "ENODEV", "EINVAL", "ENOSPC", "ENOTTY", "EDEADLK")) {
      Expect ex = stmt("qemu_exit vm1 expect=-" + e, Call.QemuExit.class).expect().orElseThrow();
      assertThat(ex.text()).isEqualTo("-" + e);
      assertThat(((Expect.Ret) ex).value()).isEqualTo(Errno.parse("-" + e).orElseThrow());
    }
  }

  // ------------------------------------------------------------ assertions

  @Test
  void everyQuantity() {
    String decls = "vm vm1\nvgpu v1 vm=vm1\n";
    Script s =
        parse(
            decls
                + "assert ref_count vm1 iova_pfn=0x10 == 2\n"
                + "assert pinned vm1 == 1\n"
                + "assert locked_vm vm1 == 0x200\n"
                + "assert container_users v1 == 2\n"
                + "assert dma_count vm1 == 1\n"
                + "assert dma_avail vm1 == 65534\n"
                + "assert cache_entries v1 == 0\n"
                + "assert cache_kref v1 gfn=0x100 == 2\n"
                + "assert notifier_calls vm1 == 11\n"
                + "assert gup_calls vm1 == 1\n"
                + "assert acquisitions &iommu->lock vm1 == 512\n"
                + "assert unmapped vm1 == 1G\n"
                + "assert bug vm1 == 1\n");
    List<Quantity> q = s.statements().stream().skip(2).map(st -> ((Assert) st).quantity()).toList();
    assertThat(q)
        .containsExactly(
            new Quantity.RefCount("vm1", 0x10),
            new Quantity.Pinned("vm1"),
            new Quantity.LockedVm("vm1"),
            new Quantity.ContainerUsers("v1"),
            new Quantity.DmaCount("vm1"),
            new Quantity.DmaAvail("vm1"),
            new Quantity.CacheEntries("v1"),
            new Quantity.CacheKref("v1", 0x100),
            new Quantity.NotifierCalls("vm1"),
            new Quantity.GupCalls("vm1"),
            new Quantity.Acquisitions(LockName.IOMMU_LOCK, new Owner.Vm("vm1")),
            new Quantity.Unmapped("vm1"),
            new Quantity.Bug("vm1"));
    List<Long> values = s.statements().stream().skip(2).map(st -> ((Assert) st).expected()).toList();
    assertThat(values).containsExactly(2L, 1L, 0x200L, 2L, 1L, 65534L, 0L, 2L, 11L, 1L, 512L, 1L << 30, 1L);
    Assert first = (Assert) s.statements().get(2);
    assertThat(first.line()).isEqualTo(3);
    assertThat(first.text()).isEqualTo("assert ref_count vm1 iova_pfn=0x10 == 2");
    assertThat(first.quantity().keyword()).isEqualTo("ref_count");
  }

  @Test
  void everyLockWithItsOwnerKind() {
    StringBuilder b = new StringBuilder("vm vm1\nvgpu v1 vm=vm1\n");
    for (LockName l : LockName.values()) {
      String owner =
          switch (l.ownerKind()) {
            case HOST -> "host";
            case VM -> "vm1";
            case VGPU -> "v1";
            case GPU -> "gpu0";
          };
      b.append("assert acquisitions ").append(l.lockStatName()).append(' ').append(owner).append(" == 0\n");
    }
    Script s = parse(b.toString());
    List<Stmt> asserts = s.statements().subList(2, s.statements().size());
    assertThat(asserts).hasSize(13);
    assertThat(((Quantity.Acquisitions) ((Assert) asserts.get(0)).quantity()))
        .isEqualTo(new Quantity.Acquisitions(LockName.VFIO_GROUP_LOCK, new Owner.Host()));
    assertThat(((Quantity.Acquisitions) ((Assert) asserts.get(11)).quantity()))
        .isEqualTo(new Quantity.Acquisitions(LockName.GVT_SCHED_LOCK, new Owner.Gpu(0)));
    assertThat(LockName.byLockStatName("&mm->mmap_lock-W")).contains(LockName.MMAP_LOCK_W);
    assertThat(LockName.byLockStatName("&container->group_lock-R")).contains(LockName.CONTAINER_GROUP_LOCK_R);
    assertThat(LockName.GROUP_DEVICE_LOCK.ownerKind()).isEqualTo(LockName.Kind.VGPU);
    assertThat(LockName.KVM_SRCU.ownerKind()).isEqualTo(LockName.Kind.VM);
    Quantity.Acquisitions a = (Quantity.Acquisitions) stmt("assert acquisitions &gvt->sched_lock gpu3 == 1", Assert.class).quantity();
    assertThat(a.owner().text()).isEqualTo("gpu3");
  }

  // ------------------------------------------------------------ parallel

  @Test
  void parallelBlockHoldsItsSteps() {
    Script s =
        parse(
            "vm vm1\nvgpu v1 vm=vm1\n"
                + "parallel {   # race\n"
                + "  VFIO_IOMMU_UNMAP_DMA vm1 iova=0 size=1G\n"
                + "\n  # comment inside\n"
                + "  vfio_group_pin_pages v1 pfns=0x10\n"
                + "  assert pinned vm1 == 0\n"
                + "  reset_counters\n"
                + "}\n"
                + "assert bug vm1 == 0\n");
    assertThat(s.statements()).hasSize(4);
    Parallel p = (Parallel) s.statements().get(2);
    assertThat(p.line()).isEqualTo(3);
    assertThat(p.text()).isEqualTo("parallel {");
    assertThat(p.body()).hasSize(4);
    assertThat(p.body().get(0)).isInstanceOf(Call.UnmapDma.class);
    assertThat(p.body().get(0).line()).isEqualTo(4);
    assertThat(p.body().get(1).line()).isEqualTo(7);
    assertThat(p.body().get(1).text()).isEqualTo("vfio_group_pin_pages v1 pfns=0x10");
    assertThat(p.body().get(2)).isInstanceOf(Assert.class);
    assertThat(p.body().get(3)).isInstanceOf(Call.ResetCounters.class);
    assertThat(s.statements().get(3).line()).isEqualTo(11);
  }

  @Test
  void severalAndEmptyParallelBlocks() {
    Script s = parse("vm vm1\nparallel {\n}\nparallel {\nqemu_exit vm1\n}\n");
    assertThat(s.statements()).hasSize(3);
    assertThat(((Parallel) s.statements().get(1)).body()).isEmpty();
    assertThat(((Parallel) s.statements().get(2)).body()).hasSize(1);
  }

  @Test
  void astIsImmutable() {
    Script s = parse("vm vm1\nparallel {\nqemu_exit vm1\n}\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.statements().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.vms().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ((Parallel) s.statements().get(1)).body().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void sealedHierarchy() {
    assertThat(Stmt.class.getPermittedSubclasses())
        .containsExactlyInAnyOrder(Setup.class, Step.class, Parallel.class);
    assertThat(Step.class.getPermittedSubclasses()).containsExactlyInAnyOrder(Call.class, Assert.class);
    // one Call record per entry point
    assertThat(Call.class.getPermittedSubclasses()).hasSize(EntryPoint.values().length);
    assertThat(Setup.class.getPermittedSubclasses()).hasSize(4);
    assertThat(Quantity.class.getPermittedSubclasses()).hasSize(13);
    Script s = parse("vm vm1\nvgpu v1 vm=vm1\nparallel {\nqemu_exit vm1\n}\nassert pinned vm1 == 0\nparam dma_entry_limit=1\nmmio vm1 vaddr=0 size=4K");
    StringBuilder kinds = new StringBuilder();
    for (Stmt st : s.statements()) {
      kinds.append(st instanceof Setup ? "S" : st instanceof Parallel ? "P" : st instanceof Call ? "C" : "A");
    }
    assertThat(kinds.toString()).isEqualTo("SSPASS");
  }
}
