package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import org.junit.jupiter.api.Test;

class MmStateTest {
  private static final long G = 1L << 30;

  private static MmState mm(long limit, boolean cap) {
    return new MmState(GuestBacking.contiguous(0, 4 * G), limit, cap);
  }

  @Test
  void incrementWithinTheLimitSucceedsUpToExactlyTheLimit() {
    MmState m = mm(10, false);
    assertThat(m.accountLockedVm(5, true, false)).isZero();
    assertThat(m.accountLockedVm(5, true, false)).isZero();
    assertThat(m.lockedVm()).isEqualTo(10);
    assertThat(m.accountLockedVm(1, true, false)).isEqualTo(-Errno.ENOMEM);
    assertThat(m.lockedVm()).isEqualTo(10);
  }

  @Test
  void case12RlimitFailsAtTheSixthPageWhenFiveRemain() {
    MmState m = mm(100, false);
    assertThat(m.accountLockedVm(95, true, false)).isZero();
    int ok = 0;
    int ret = 0;
    for (int i = 0; i < 10; i++) {
      ret = m.accountLockedVm(1, true, false);
      if (ret != 0) {
        break;
      }
      ok++;
    }
    assertThat(ok).isEqualTo(5);
    assertThat(ret).isEqualTo(-Errno.ENOMEM);
    // the unwind gives the five back
    assertThat(m.accountLockedVm(5, false, false)).isZero();
    assertThat(m.lockedVm()).isEqualTo(95);
    assertThat(m.warnings()).isZero();
  }

  @Test
  void case13LockCapBypassesTheLimit() {
    MmState m = mm(100, true);
    m.accountLockedVm(95, true, false);
    for (int i = 0; i < 10; i++) {
      assertThat(m.accountLockedVm(1, true, true)).isZero();
    }
    assertThat(m.lockedVm()).isEqualTo(105);
    assertThat(m.overMemlock(1, false)).isTrue();
    assertThat(m.overMemlock(1, true)).isFalse();
  }

  @Test
  void unlimitedNeverFails() {
    MmState m = new MmState(GuestBacking.contiguous(0, 4 * G));
    assertThat(m.rlimitMemlock()).isEqualTo(MmState.RLIM_INFINITY);
    assertThat(m.accountLockedVm(1L << 40, true, false)).isZero();
    assertThat(m.accountLockedVm(1L << 40, true, false)).isZero();
    assertThat(m.lockedVm()).isEqualTo(1L << 41);
    assertThat(m.overMemlock(1L << 50, false)).isFalse();
  }

  @Test
  void decrementUnderflowWarnsAndClamps() {
    MmState m = mm(100, false);
    m.accountLockedVm(3, true, false);
    assertThat(m.accountLockedVm(5, false, false)).isZero();
    assertThat(m.lockedVm()).isZero();
    assertThat(m.warnings()).isEqualTo(1);
    assertThat(m.accountLockedVm(3, false, false)).isZero();
    assertThat(m.warnings()).isEqualTo(2);
  }

  @Test
  void vaddrGetPfnPinsRamAndCountsGup() {
    MmState m = mm(MmState.RLIM_INFINITY, false);
    long v = GuestBacking.vaddrOfGpa(0x10 * PAGE_SIZE);
    long pfn = m.vaddrGetPfn(v);
    assertThat(pfn).isEqualTo(m.backing().pfnOf(v));
    assertThat(m.pinCount(pfn)).isEqualTo(1);
    assertThat(m.pinRefcount(pfn)).isEqualTo(1024);
    assertThat(m.vaddrGetPfn(v)).isEqualTo(pfn);
    assertThat(m.pinRefcount(pfn)).isEqualTo(2048);
    assertThat(m.pinnedPages()).isEqualTo(1);
    assertThat(m.totalPins()).isEqualTo(2);
    assertThat(m.gupCalls()).isEqualTo(2);
    assertThat(m.putPfn(pfn)).isEqualTo(1);
    assertThat(m.putPfn(pfn)).isEqualTo(1);
    assertThat(m.pinnedPages()).isZero();
    assertThatThrownBy(() -> m.unpin(pfn)).isInstanceOf(IllegalStateException.class);
    m.resetCounters();
    assertThat(m.gupCalls()).isZero();
  }

  @Test
  void vaddrGetPfnOnPfnmapReturnsReservedPfnWithoutPin() {
    MmState m = mm(MmState.RLIM_INFINITY, false);
    m.backing().addMmio(0x10000000, 4 * PAGE_SIZE);
    long pfn = m.vaddrGetPfn(0x10001000);
    assertThat(GuestBacking.isReservedPfn(pfn)).isTrue();
    assertThat(m.pinnedPages()).isZero();
    assertThat(m.putPfn(pfn)).isZero();
    assertThat(m.vaddrGetPfn(0x20000000)).isEqualTo(-Errno.EFAULT);
    assertThat(m.gupCalls()).isEqualTo(2);
    assertThatThrownBy(() -> m.pin(pfn)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bulkGupPinsUntilTheFirstNonRamPage() {
    MmState m = mm(MmState.RLIM_INFINITY, false);
    long last = GuestBacking.vaddrOfGpa(4 * G - 2 * PAGE_SIZE);
    long[] pfns = new long[8];
    assertThat(m.pinUserPagesRemote(last, 8, pfns)).isEqualTo(2);
    assertThat(pfns[1]).isEqualTo(pfns[0] + 1);
    assertThat(m.pinnedPages()).isEqualTo(2);
    assertThat(m.gupCalls()).isEqualTo(1);
    assertThat(m.pinUserPagesRemote(GuestBacking.vaddrOfGpa(4 * G), 4, pfns)).isEqualTo(-Errno.EFAULT);
    assertThat(m.gupCalls()).isEqualTo(2);
    long[] run = new long[512];
    assertThat(m.pinUserPagesRemote(GuestBacking.vaddrOfGpa(0), 512, run)).isEqualTo(512);
    assertThat(m.pinnedPages()).isEqualTo(514);
  }

  @Test
  void exitDropsTheMmButKeepsPinsVisible() {
    MmState m = mm(MmState.RLIM_INFINITY, false);
    long pfn = m.vaddrGetPfn(GuestBacking.vaddrOfGpa(0));
    m.accountLockedVm(1, true, false);
    assertThat(m.alive()).isTrue();
    m.exit();
    assertThat(m.alive()).isFalse();
    assertThat(m.pinCount(pfn)).isEqualTo(1);
    assertThat(m.lockedVm()).isEqualTo(1);
  }
}
