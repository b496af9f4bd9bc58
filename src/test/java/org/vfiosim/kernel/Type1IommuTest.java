package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import org.junit.jupiter.api.Test;

class Type1IommuTest {
  private static final long G = 1L << 30;
  private static final int RW = Prot.MAP_FLAG_READ | Prot.MAP_FLAG_WRITE;

  private final MmState qemu = new MmState(GuestBacking.contiguous(0, 4 * G));
  private final Type1Iommu iommu = new Type1Iommu(true);
  private final Type1PinHarness h = new Type1PinHarness(iommu, qemu);

  @Test
  void openCopiesTheEntryLimit() {
    assertThat(iommu.dmaEntryLimit()).isEqualTo(65535);
    assertThat(iommu.dmaAvail()).isEqualTo(65535);
    assertThat(new Type1Iommu(false, 7).dmaAvail()).isEqualTo(7);
    assertThat(iommu.dmaAccountingHolds()).isTrue();
    assertThat(iommu.checkInvariants()).isEmpty();
  }

  @Test
  void mapLinksAndConsumesDmaAvail() {
    assertThat(h.map(0, 4 * G, RW)).isZero();
    assertThat(iommu.dmaCount()).isEqualTo(1);
    assertThat(iommu.dmaAvail()).isEqualTo(65534);
    VfioDma d = iommu.dmaList().containing(0x1234);
    assertThat(d.vaddr()).isEqualTo(0x7f0000000000L);
    assertThat(d.prot()).isEqualTo(Prot.RW);
    assertThat(d.task()).isSameAs(qemu);
    // GVT-only container: nothing pinned at MAP time
    assertThat(qemu.pinnedPages()).isZero();
    assertThat(qemu.lockedVm()).isZero();
    assertThat(iommu.checkInvariants()).isEmpty();
  }

  @Test
  void case27MapValidationInKernelOrder() {
    h.map(0x100000, 0x100000, RW);
    // overlap → -EEXIST
    assertThat(iommu.checkMap(RW, 0x180000, 0x100000, 0x7f0000180000L)).isEqualTo(-Errno.EEXIST);
    assertThat(iommu.checkMap(RW, 0, 0x101000, 0x7f0000000000L)).isEqualTo(-Errno.EEXIST);
    // size 0, no READ/WRITE flag, misaligned vaddr/iova/size, unknown flag → -EINVAL
    assertThat(iommu.checkMap(RW, 0x400000, 0, 0x7f0000400000L)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.checkMap(0, 0x400000, 0x1000, 0x7f0000400000L)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.checkMap(RW, 0x400000, 0x1000, 0x7f0000400800L)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.checkMap(RW, 0x400800, 0x1000, 0x7f0000400000L)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.checkMap(RW, 0x400000, 0x1800, 0x7f0000400000L)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.checkMap(RW | 4, 0x400000, 0x1000, 0x7f0000400000L)).isEqualTo(-Errno.EINVAL);
    // the flag check (ioctl) comes before the overlap check (under the lock)
    assertThat(iommu.checkMap(RW | 4, 0x100000, 0x1000, 0x7f0000100000L)).isEqualTo(-Errno.EINVAL);
    // alignment (step 3) before overlap (step 5)
    assertThat(iommu.checkMap(RW, 0x100000, 0x1800, 0x7f0000100000L)).isEqualTo(-Errno.EINVAL);
    // iova or vaddr wrap → -EINVAL
    assertThat(iommu.checkMap(RW, -PAGE_SIZE, 2 * PAGE_SIZE, 0)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.checkMap(RW, 0x400000, 2 * PAGE_SIZE, -PAGE_SIZE)).isEqualTo(-Errno.EINVAL);
    // the last page of the u64 space is mappable
    assertThat(iommu.checkMap(RW, -PAGE_SIZE, PAGE_SIZE, 0)).isZero();
    assertThat(iommu.checkMap(Prot.MAP_FLAG_READ, 0x400000, 0x1000, 0x7f0000400000L)).isZero();
    assertThat(iommu.dmaCount()).isEqualTo(1);
  }

  @Test
  void case28TheEntryLimitGivesEnospcAndUnmapRestoresIt() {
    Type1Iommu small = new Type1Iommu(true, 3);
    Type1PinHarness s = new Type1PinHarness(small, qemu);
    for (int i = 0; i < 3; i++) {
      assertThat(s.map(i * PAGE_SIZE, PAGE_SIZE, RW)).isZero();
    }
    assertThat(small.dmaAvail()).isZero();
    assertThat(s.map(3 * PAGE_SIZE, PAGE_SIZE, RW)).isEqualTo(-Errno.ENOSPC);
    // -EEXIST is checked before -ENOSPC
    assertThat(small.checkMap(RW, 0, PAGE_SIZE, 0x7f0000000000L)).isEqualTo(-Errno.EEXIST);
    assertThat(s.unmap(PAGE_SIZE, PAGE_SIZE, qemu, null)).isZero();
    assertThat(small.unmapped()).isEqualTo(PAGE_SIZE);
    assertThat(small.dmaAvail()).isEqualTo(1);
    assertThat(s.map(3 * PAGE_SIZE, PAGE_SIZE, RW)).isZero();
    assertThat(small.checkInvariants()).isEmpty();
    assertThatThrownBy(() -> small.linkDma(9 * PAGE_SIZE, 0, PAGE_SIZE, Prot.RW, false, qemu))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void defaultLimitIs65535Mappings() {
    for (int i = 0; i < 65535; i++) {
      assertThat(iommu.checkMap(RW, i * PAGE_SIZE, PAGE_SIZE, 0x7f0000000000L + i * PAGE_SIZE)).isZero();
      iommu.linkDma(i * PAGE_SIZE, 0x7f0000000000L + i * PAGE_SIZE, PAGE_SIZE, Prot.RW, false, qemu);
    }
    assertThat(iommu.checkMap(RW, 65535 * PAGE_SIZE, PAGE_SIZE, 0x7f0000000000L)).isEqualTo(-Errno.ENOSPC);
    assertThat(iommu.dmaList().depth()).isEqualTo(16);
    assertThat(iommu.checkInvariants()).isEmpty();
  }

  @Test
  void iovaListRestrictsMapsOnlyWhenNotEmpty() {
    assertThat(iommu.iovaDmaValid(0xfee00000L, PAGE_SIZE)).isTrue();
    iommu.addValidIovaRange(0, 0xfedfffffL);
    iommu.addValidIovaRange(0xfef00000L, -1);
    assertThat(iommu.checkMap(RW, 0xfee00000L, PAGE_SIZE, 0x7f0000000000L)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.checkMap(RW, 0xfed00000L, 0x200000, 0x7f0000000000L)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.checkMap(RW, 0, 0xfee00000L, 0x7f0000000000L)).isZero();
    assertThat(iommu.checkMap(RW, 0x100000000L, G, 0x7f0000000000L)).isZero();
  }

  @Test
  void case31V2UnmapMayNotBisect() {
    h.map(0x100000, 0x200000, RW);
    // starts inside the mapping
    assertThat(iommu.checkUnmap(0x101000, 0x1ff000)).isEqualTo(-Errno.EINVAL);
    // ends inside the mapping
    assertThat(iommu.checkUnmap(0x100000, 0x100000)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.checkUnmap(0, 0x101000)).isEqualTo(-Errno.EINVAL);
    // covering it, or ending exactly at its end, is fine
    assertThat(iommu.checkUnmap(0x100000, 0x200000)).isZero();
    assertThat(iommu.checkUnmap(0, 0x300000)).isZero();
    assertThat(iommu.checkUnmap(0, 0x1000000)).isZero();
    assertThat(h.unmap(0x101000, 0x1ff000, qemu, null)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.unmapped()).isZero();
    assertThat(iommu.dmaCount()).isEqualTo(1);
  }

  @Test
  void unmapArgumentChecks() {
    assertThat(iommu.unmapArgsCheck(0x800, PAGE_SIZE, false, 0)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.unmapArgsCheck(0, 0, false, 0)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.unmapArgsCheck(0, 0x1800, false, 0)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.unmapArgsCheck(-PAGE_SIZE, 2 * PAGE_SIZE, false, 0)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.unmapArgsCheck(0, PAGE_SIZE, false, 0)).isZero();
  }

  @Test
  void case33DirtyBitmapUnmapNeedsTrackingAndTheIommuPageSize() {
    assertThat(iommu.unmapArgsCheck(0, PAGE_SIZE, true, PAGE_SIZE)).isEqualTo(-Errno.EINVAL);
    iommu.setDirtyPageTracking(true);
    assertThat(iommu.unmapArgsCheck(0, PAGE_SIZE, true, 2 * PAGE_SIZE)).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.unmapArgsCheck(0, PAGE_SIZE, true, PAGE_SIZE)).isZero();
    // misalignment is reported before the bitmap problem
    iommu.setDirtyPageTracking(false);
    assertThat(iommu.unmapArgsCheck(0x800, PAGE_SIZE, true, 0)).isEqualTo(-Errno.EINVAL);
    assertThat(Type1Iommu.unmapIoctlCheck(1, Generation.V5_10)).isZero();
    assertThat(Type1Iommu.unmapIoctlCheck(1, Generation.V5_6)).isEqualTo(-Errno.EINVAL);
    assertThat(Type1Iommu.unmapIoctlCheck(2, Generation.V5_10)).isEqualTo(-Errno.EINVAL);
    assertThat(Type1Iommu.unmapIoctlCheck(0, Generation.V5_6)).isZero();
  }

  @Test
  void case32UnmapOfNothingAndByAnotherProcess() {
    assertThat(h.unmap(0, G, qemu, null)).isZero();
    assertThat(iommu.unmapped()).isZero();
    h.map(0, 0x100000, RW);
    h.map(0x100000, 0x100000, RW);
    MmState other = new MmState(GuestBacking.contiguous(1, G));
    Type1PinHarness byOther = new Type1PinHarness(iommu, other);
    // the other process's own mapping lies above qemu's: the walk meets qemu's dma first and breaks
    iommu.linkDma(0x80000000L, 0x7f0000000000L, PAGE_SIZE, Prot.RW, false, other);
    assertThat(byOther.unmap(0, 0x100000000L, other, null)).isZero();
    assertThat(iommu.unmapped()).isZero(); // qemu's dma at 0 comes first: break at once
    assertThat(iommu.dmaCount()).isEqualTo(3);
    assertThat(h.unmap(0, 0x200000, qemu, null)).isZero();
    assertThat(iommu.unmapped()).isEqualTo(0x200000);
    assertThat(byOther.unmap(0, 0x100000000L, other, null)).isZero();
    assertThat(iommu.unmapped()).isEqualTo(PAGE_SIZE);
    assertThat(iommu.dmaCount()).isZero();
    assertThat(iommu.checkInvariants()).isEmpty();
  }

  @Test
  void unmapBreaksWhenTheMapperHasExited() {
    h.map(0, 0x100000, RW);
    qemu.exit();
    assertThat(h.unmap(0, 0x100000, qemu, null)).isZero();
    assertThat(iommu.unmapped()).isZero();
    assertThat(iommu.dmaCount()).isEqualTo(1);
  }

  @Test
  void v1UnmapMayTrimButStopsAtADmaStartingBelow() {
    Type1Iommu v1 = new Type1Iommu(false);
    Type1PinHarness h1 = new Type1PinHarness(v1, qemu);
    h1.map(0x100000, 0x100000, RW);
    h1.map(0x200000, 0x100000, RW);
    assertThat(v1.checkUnmap(0x180000, 0x1000)).isZero(); // no bisect rule on v1
    // starting inside the first dma: the lowest overlapping dma starts below → break, nothing unmapped
    assertThat(h1.unmap(0x180000, 0x100000, qemu, null)).isZero();
    assertThat(v1.unmapped()).isZero();
    // starting at the second dma and ending inside it: the whole dma goes
    assertThat(h1.unmap(0x200000, 0x1000, qemu, null)).isZero();
    assertThat(v1.unmapped()).isEqualTo(0x100000);
    assertThat(v1.dmaCount()).isEqualTo(1);
  }

  @Test
  void case29UnmapWithPinsNotifiesOnceWithTheWholeDma() {
    h.map(0, 4 * G, RW);
    iommu.registerNotifier(1);
    long[] phys = new long[3];
    assertThat(h.pinPages(new long[] {0x10, 0x11, 0x400}, Prot.RW, phys)).isEqualTo(3);
    UnmapWalk w = iommu.beginUnmap(0, 4 * G, qemu);
    UnmapWalk.Step s = w.step();
    assertThat(s).isInstanceOf(UnmapWalk.Notify.class);
    UnmapWalk.Notify n = (UnmapWalk.Notify) s;
    assertThat(n.iova()).isZero();
    assertThat(n.size()).isEqualTo(4 * G);
    assertThat(iommu.notifierCalls()).isEqualTo(1);
    // the vendor driver unpins everything in the range
    assertThat(h.unpinPages(new long[] {0x10, 0x11, 0x400})).isEqualTo(3);
    assertThat(w.step()).isInstanceOf(UnmapWalk.Removed.class);
    assertThat(w.step()).isEqualTo(new UnmapWalk.Done(0, 4 * G));
    assertThat(iommu.unmapped()).isEqualTo(4 * G);
    assertThat(iommu.notifierCalls()).isEqualTo(1);
    assertThat(qemu.lockedVm()).isZero();
    assertThat(qemu.pinnedPages()).isZero();
    assertThat(iommu.dmaAvail()).isEqualTo(65535);
    assertThatThrownBy(w::step).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void case30ANotifierThatDoesNotUnpinGivesElevenCallsThenBug() {
    h.map(0, G, RW);
    iommu.registerNotifier(1);
    h.pinPages(new long[] {0x10}, Prot.RW, new long[1]);
    UnmapWalk w = iommu.beginUnmap(0, G, qemu);
    int notifies = 0;
    UnmapWalk.Step s;
    while ((s = w.step()) instanceof UnmapWalk.Notify) {
      notifies++;
    }
    assertThat(notifies).isEqualTo(11);
    assertThat(s).isInstanceOf(UnmapWalk.Bug.class);
    assertThat(iommu.notifierCalls()).isEqualTo(11);
    assertThat(iommu.bug()).isTrue();
    assertThat(iommu.dmaCount()).isEqualTo(1);
  }

  @Test
  void retriesResetWhenADifferentDmaIsNext() {
    h.map(0, 0x100000, RW);
    h.map(0x100000, 0x100000, RW);
    iommu.registerNotifier(1);
    h.pinPages(new long[] {0x10, 0x110}, Prot.RW, new long[2]);
    UnmapWalk w = iommu.beginUnmap(0, 0x200000, qemu);
    for (int i = 0; i < 10; i++) {
      assertThat(w.step()).isInstanceOf(UnmapWalk.Notify.class);
    }
    assertThat(w.retries()).isEqualTo(9);
    h.unpinPages(new long[] {0x10}); // the 10th call finally unpins the first dma
    assertThat(w.step()).isInstanceOf(UnmapWalk.Removed.class);
    UnmapWalk.Step s = w.step();
    assertThat(s).isEqualTo(new UnmapWalk.Notify(iommu.dmaList().first(), 0x100000, 0x100000));
    assertThat(w.retries()).isZero();
    for (int i = 0; i < 10; i++) {
      assertThat(w.step()).isInstanceOf(UnmapWalk.Notify.class);
    }
    assertThat(w.step()).isInstanceOf(UnmapWalk.Bug.class);
    assertThat(iommu.notifierCalls()).isEqualTo(21);
    assertThat(w.unmapped()).isEqualTo(0x100000);
    assertThat(iommu.unmapped()).isZero();
  }

  @Test
  void bisectIsRecheckedAfterTheNotifier() {
    h.map(0, 0x100000, RW);
    iommu.registerNotifier(1);
    h.pinPages(new long[] {0x10}, Prot.RW, new long[1]);
    UnmapWalk w = iommu.beginUnmap(0, 0x200000, qemu);
    assertThat(w.step()).isInstanceOf(UnmapWalk.Notify.class);
    // while the lock is dropped the vendor unpins and QEMU maps a dma straddling the end
    h.unpinPages(new long[] {0x10});
    iommu.linkDma(0x1ff000, 0x7f00001ff000L, 0x2000, Prot.RW, false, qemu);
    assertThat(w.step()).isEqualTo(new UnmapWalk.Done(-Errno.EINVAL, 0));
    assertThat(iommu.dmaCount()).isEqualTo(2);
  }

  @Test
  void case6And7PinNeedsV2AndARegisteredNotifier() {
    Type1Iommu v1 = new Type1Iommu(false);
    assertThat(v1.pinPagesUnlockedCheck()).isEqualTo(-Errno.EACCES);
    assertThat(v1.unpinPagesUnlockedCheck()).isEqualTo(-Errno.EACCES);
    assertThat(new Type1PinHarness(v1, qemu).pinPages(new long[] {1}, Prot.RW, new long[1]))
        .isEqualTo(-Errno.EACCES);
    h.map(0, G, RW);
    assertThat(h.pinPages(new long[] {1}, Prot.RW, new long[1])).isEqualTo(-Errno.EINVAL);
    iommu.registerNotifier(7);
    assertThat(h.pinPages(new long[] {1}, Prot.RW, new long[1])).isEqualTo(1);
    assertThat(iommu.unregisterNotifier(7)).isZero();
    assertThat(h.pinPages(new long[] {2}, Prot.RW, new long[1])).isEqualTo(-Errno.EINVAL);
  }

  @Test
  void case3To5PinsAccountingAndUnwind() {
    h.map(0, G, RW);
    h.map(G, 0x100000, Prot.MAP_FLAG_READ);
    iommu.registerNotifier(1);
    long[] phys = new long[512];
    // case 3: 512 distinct pages
    assertThat(h.pinPages(Type1PinHarness.range(0x100, 512), Prot.RW, phys)).isEqualTo(512);
    assertThat(h.pinned()).isEqualTo(512);
    assertThat(qemu.lockedVm()).isEqualTo(512);
    assertThat(phys[511]).isEqualTo(qemu.backing().pfnOf(GuestBacking.vaddrOfGpa(0x2ff * PAGE_SIZE)));
    // case 4: an element with no dma unwinds the earlier ones of the same call
    long[] p4 = new long[3];
    long unmappedPfn = (2 * G) >> 12;
    assertThat(h.pinPages(new long[] {0x1000, 0x1001, unmappedPfn}, Prot.RW, p4)).isEqualTo(-Errno.EINVAL);
    assertThat(p4).containsOnly(0L);
    assertThat(h.refCount(0x1000)).isZero();
    assertThat(qemu.lockedVm()).isEqualTo(512);
    // case 5: RW pin on a READ-only mapping
    assertThat(h.pinPages(new long[] {(G >> 12) + 1}, Prot.RW, new long[1])).isEqualTo(-Errno.EPERM);
    assertThat(h.pinPages(new long[] {(G >> 12) + 1}, Prot.IOMMU_READ, new long[1])).isEqualTo(1);
    assertThat(qemu.pinnedPages()).isEqualTo(513);
  }

  @Test
  void case8To10RefCountsAcrossCalls() {
    h.map(0, G, RW);
    iommu.registerNotifier(1);
    long[] a = new long[1];
    long[] b = new long[2];
    assertThat(h.pinPages(new long[] {0x10}, Prot.RW, a)).isEqualTo(1);
    assertThat(h.pinPages(new long[] {0x10}, Prot.RW, new long[1])).isEqualTo(1);
    assertThat(h.refCount(0x10)).isEqualTo(2);
    assertThat(qemu.lockedVm()).isEqualTo(1);
    assertThat(qemu.gupCalls()).isEqualTo(1);
    assertThat(h.pinPages(new long[] {0x20, 0x20}, Prot.RW, b)).isEqualTo(2);
    assertThat(b[0]).isEqualTo(b[1]);
    assertThat(h.refCount(0x20)).isEqualTo(2);
    assertThat(qemu.lockedVm()).isEqualTo(2);
    assertThat(qemu.gupCalls()).isEqualTo(2);
    // case 9
    assertThat(h.unpinPages(new long[] {0x10})).isEqualTo(1);
    assertThat(h.refCount(0x10)).isEqualTo(1);
    assertThat(qemu.pinCount(a[0])).isEqualTo(1);
    assertThat(qemu.lockedVm()).isEqualTo(2);
    assertThat(h.unpinPages(new long[] {0x10})).isEqualTo(1);
    assertThat(h.refCount(0x10)).isZero();
    assertThat(qemu.pinCount(a[0])).isZero();
    assertThat(qemu.lockedVm()).isEqualTo(1);
    // case 10: a third unpin and an unpin of a never-pinned page succeed with no change
    assertThat(h.unpinPages(new long[] {0x10})).isEqualTo(1);
    assertThat(h.unpinPages(new long[] {0x30})).isEqualTo(1);
    assertThat(qemu.lockedVm()).isEqualTo(1);
    assertThat(qemu.warnings()).isZero();
  }

  @Test
  void case11UnpinReturnsThePrefixBeforeTheFirstUnmappedIova() {
    h.map(0, G, RW);
    iommu.registerNotifier(1);
    long un = (2 * G) >> 12;
    h.pinPages(new long[] {1, 2, 3}, Prot.RW, new long[3]);
    assertThat(h.unpinPages(new long[] {un, 1})).isEqualTo(-Errno.EINVAL);
    assertThat(h.refCount(1)).isEqualTo(1);
    assertThat(h.unpinPages(new long[] {1, 2, un, 3})).isEqualTo(2);
    assertThat(h.refCount(3)).isEqualTo(1);
    assertThat(Type1Iommu.unpinPagesReturn(0, 4)).isEqualTo(-Errno.EINVAL);
    assertThat(Type1Iommu.unpinPagesReturn(4, 4)).isEqualTo(4);
    assertThat(Type1Iommu.unpinPagesReturn(5, 4)).isEqualTo(4);
  }

  @Test
  void case12And13RlimitDuringExternalPins() {
    MmState tight = new MmState(GuestBacking.contiguous(2, G), 100, false);
    Type1PinHarness t = new Type1PinHarness(new Type1Iommu(true), tight);
    t.map(0, G, RW);
    t.iommu.registerNotifier(1);
    tight.accountLockedVm(95, true, false); // locked_vm = limit - 5
    long[] phys = new long[10];
    assertThat(t.pinPages(Type1PinHarness.range(0x10, 10), Prot.RW, phys)).isEqualTo(-Errno.ENOMEM);
    assertThat(phys).containsOnly(0L);
    assertThat(tight.lockedVm()).isEqualTo(95);
    assertThat(tight.pinnedPages()).isZero();
    assertThat(t.pinned()).isZero();
    assertThat(tight.gupCalls()).isEqualTo(6); // the 6th page was pinned, then put back

    MmState capped = new MmState(GuestBacking.contiguous(3, G), 100, true);
    Type1PinHarness c = new Type1PinHarness(new Type1Iommu(true), capped);
    c.map(0, G, RW); // lock_cap sampled at MAP time
    c.iommu.registerNotifier(1);
    capped.accountLockedVm(95, true, false);
    assertThat(c.pinPages(Type1PinHarness.range(0x10, 10), Prot.RW, new long[10])).isEqualTo(10);
    assertThat(capped.lockedVm()).isEqualTo(105);
  }

  @Test
  void case14IommuBackedGroupMeansNoAccountingForExternalPins() {
    assertThat(iommu.doAccounting()).isTrue();
    iommu.attachExternal();
    iommu.attachIommuBacked();
    assertThat(iommu.doAccounting()).isFalse();
    assertThat(iommu.iommuCapDomainInContainer()).isTrue();
    assertThat(h.map(0, 0x100000, RW)).isZero(); // pins and accounts 256 pages at MAP
    assertThat(qemu.lockedVm()).isEqualTo(256);
    long pfn = qemu.backing().pfnOf(GuestBacking.vaddrOfGpa(0x10 * PAGE_SIZE));
    assertThat(qemu.pinRefcount(pfn)).isEqualTo(1024);
    iommu.registerNotifier(1);
    assertThat(h.pinPages(new long[] {0x10}, Prot.RW, new long[1])).isEqualTo(1);
    assertThat(qemu.lockedVm()).isEqualTo(256);
    assertThat(qemu.pinRefcount(pfn)).isEqualTo(2048);
    assertThat(h.unpinPages(new long[] {0x10})).isEqualTo(1);
    assertThat(qemu.lockedVm()).isEqualTo(256);
    assertThat(qemu.pinRefcount(pfn)).isEqualTo(1024);
    assertThat(iommu.detachIommuBacked()).isTrue();
    assertThat(iommu.doAccounting()).isTrue();
    assertThat(iommu.detachExternal()).isTrue();
    assertThatThrownBy(iommu::detachExternal).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void case15PinAfterQemuExitedIsEnodev() {
    h.map(0, G, RW);
    iommu.registerNotifier(1);
    qemu.exit();
    assertThat(h.pinPages(new long[] {0x10}, Prot.RW, new long[1])).isEqualTo(-Errno.ENODEV);
  }

  @Test
  void case17ReservedPfnIsPinnedByVfioWithoutPinOrAccounting() {
    qemu.backing().addMmio(0x7e0000000000L, 0x100000);
    h.map(0x800000000L, 0x100000, 0x7e0000000000L, RW);
    iommu.registerNotifier(1);
    long[] phys = new long[1];
    assertThat(h.pinPages(new long[] {0x800000}, Prot.RW, phys)).isEqualTo(1);
    assertThat(GuestBacking.isReservedPfn(phys[0])).isTrue();
    assertThat(qemu.lockedVm()).isZero();
    assertThat(qemu.pinnedPages()).isZero();
    assertThat(h.refCount(0x800000)).isEqualTo(1);
    assertThat(h.unpinPages(new long[] {0x800000})).isEqualTo(1);
    assertThat(qemu.lockedVm()).isZero();
    assertThat(qemu.warnings()).isZero();
  }

  @Test
  void case21To25DmaRwChecks() {
    h.map(0, 0x100000, RW);
    h.map(0x100000, 0x100000, Prot.MAP_FLAG_READ);
    h.map(0x200000, 0x100000, Prot.MAP_FLAG_WRITE);
    DmaTree t = iommu.dmaList();
    assertThat(Type1Iommu.dmaRwChunkCheck(t.containing(0x300000), false)).isEqualTo(-Errno.EINVAL);
    assertThat(Type1Iommu.dmaRwChunkCheck(t.containing(0x1000), true)).isZero();
    assertThat(Type1Iommu.dmaRwChunkCheck(t.containing(0x101000), false)).isZero();
    assertThat(Type1Iommu.dmaRwChunkCheck(t.containing(0x101000), true)).isEqualTo(-Errno.EPERM);
    assertThat(Type1Iommu.dmaRwChunkCheck(t.containing(0x201000), true)).isEqualTo(-Errno.EPERM);
    assertThat(Type1Iommu.dmaRwChunkCheck(t.containing(0x201000), false)).isEqualTo(-Errno.EPERM);
    // case 23: a 3-page access at the boundary of two dmas is two chunks
    VfioDma a = t.containing(0xff000);
    assertThat(Type1Iommu.dmaRwChunkLen(a, 0xff000, 3 * PAGE_SIZE)).isEqualTo(PAGE_SIZE);
    assertThat(Type1Iommu.dmaRwChunkLen(t.containing(0x100000), 0x100000, 2 * PAGE_SIZE)).isEqualTo(2 * PAGE_SIZE);
    // case 25: kthread ok, other process -EFAULT, mapper gone -EPERM (checked first)
    MmState other = new MmState(GuestBacking.contiguous(1, G));
    assertThat(Type1Iommu.dmaRwMmCheck(a, null)).isZero();
    assertThat(Type1Iommu.dmaRwMmCheck(a, qemu)).isZero();
    assertThat(Type1Iommu.dmaRwMmCheck(a, other)).isEqualTo(-Errno.EFAULT);
    qemu.exit();
    assertThat(Type1Iommu.dmaRwMmCheck(a, other)).isEqualTo(-Errno.EPERM);
    assertThat(Type1Iommu.dmaRwMmCheck(a, null)).isEqualTo(-Errno.EPERM);
  }

  @Test
  void notifierChain() {
    assertThat(iommu.notifierHead()).isFalse();
    assertThat(iommu.registerNotifier(3)).isZero();
    assertThat(iommu.registerNotifier(1)).isZero();
    assertThat(iommu.notifiers()).containsExactly(3, 1);
    assertThat(iommu.notifierHead()).isTrue();
    // double register: WARN, 0, no second entry
    assertThat(iommu.registerNotifier(3)).isZero();
    assertThat(iommu.notifiers()).containsExactly(3, 1);
    assertThat(iommu.warnings()).isEqualTo(1);
    // case 37: an event besides DMA_UNMAP → -EINVAL
    assertThat(iommu.registerNotifier(9, Type1Iommu.VFIO_IOMMU_NOTIFY_DMA_UNMAP | (1 << 5))).isEqualTo(-Errno.EINVAL);
    assertThat(iommu.notifiers()).containsExactly(3, 1);
    assertThat(iommu.unregisterNotifier(3)).isZero();
    assertThat(iommu.unregisterNotifier(3)).isEqualTo(-Errno.ENOENT);
    assertThat(iommu.unregisterNotifier(1)).isZero();
    assertThat(iommu.notifierHead()).isFalse();
  }

  @Test
  void case39DetachWithPinsWarnsAndLeaks() {
    iommu.attachExternal();
    h.map(0, G, RW);
    h.map(G, G, RW);
    iommu.registerNotifier(1);
    h.pinPages(new long[] {0x10, 0x11}, Prot.RW, new long[2]);
    assertThat(iommu.detachExternal()).isTrue();
    assertThat(iommu.sanityCheckPfnList()).isEqualTo(2); // pfn_list and notifier head
    assertThat(iommu.unmapUnpinAll()).hasSize(2);
    assertThat(iommu.dmaCount()).isZero();
    assertThat(iommu.dmaAvail()).isEqualTo(65535);
    assertThat(qemu.pinnedPages()).isEqualTo(2); // LEAK
    assertThat(qemu.lockedVm()).isEqualTo(2);
    assertThat(iommu.warnings()).isEqualTo(2);
  }

  @Test
  void cleanDetachHasNoWarning() {
    iommu.attachExternal();
    h.map(0, G, RW);
    assertThat(iommu.detachExternal()).isTrue();
    assertThat(iommu.sanityCheckPfnList()).isZero();
    iommu.unmapUnpinAll();
    assertThat(iommu.warnings()).isZero();
  }

  @Test
  void invariantCheckReportsBrokenAccounting() {
    h.map(0, G, RW);
    VfioDma d = iommu.dmaList().first();
    iommu.dmaList().remove(d); // bypassing vfio_remove_dma
    assertThat(iommu.dmaAccountingHolds()).isFalse();
    assertThat(iommu.checkInvariants()).get().asString().contains("dma_avail 65534");
  }

  @Test
  void resetCountersKeepsState() {
    h.map(0, G, RW);
    iommu.registerNotifier(1);
    h.pinPages(new long[] {1}, Prot.RW, new long[1]);
    UnmapWalk w = iommu.beginUnmap(0, G, qemu);
    w.step();
    iommu.resetCounters();
    assertThat(iommu.notifierCalls()).isZero();
    assertThat(iommu.dmaCount()).isEqualTo(1);
  }
}
