package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import org.junit.jupiter.api.Test;

class KvmTest {
  private static final long G = 1L << 30;
  private final Kvm kvm = new Kvm(4 * G);

  @Test
  void accessInsideGuestRamSucceeds() {
    assertThat(kvm.checkGuestAccess(0, PAGE_SIZE)).isZero();
    assertThat(kvm.checkGuestAccess(4 * G - 8, 8)).isZero();
    assertThat(kvm.checkGuestAccess(0, 4 * G)).isZero();
    assertThat(kvm.checkGuestAccess(5 * G, 0)).isZero(); // len 0: the loop never runs
  }

  @Test
  void accessOutsideIsEfaultWithAPartialPrefix() {
    assertThat(kvm.checkGuestAccess(4 * G, 1)).isEqualTo(-Errno.EFAULT);
    assertThat(kvm.checkGuestAccess(4 * G - 8, 16)).isEqualTo(-Errno.EFAULT);
    assertThat(kvm.accessibleBytes(4 * G - 8, 16)).isEqualTo(8);
    assertThat(kvm.checkGuestAccess(-PAGE_SIZE, 8)).isEqualTo(-Errno.EFAULT);
    assertThat(kvm.accessibleBytes(5 * G, 16)).isZero();
    assertThat(kvm.gfnValid(4 * G / PAGE_SIZE - 1)).isTrue();
    assertThat(kvm.gfnValid(4 * G / PAGE_SIZE)).isFalse();
    assertThat(kvm.gfnValid(-1)).isFalse();
  }

  @Test
  void pagesTouchedCountsSegments() {
    assertThat(Kvm.pagesTouched(0, PAGE_SIZE)).isEqualTo(1);
    assertThat(Kvm.pagesTouched(8, PAGE_SIZE)).isEqualTo(2);
    assertThat(Kvm.pagesTouched(PAGE_SIZE - 1, 2)).isEqualTo(2);
    assertThat(Kvm.pagesTouched(0, 20 * PAGE_SIZE)).isEqualTo(20);
    assertThat(Kvm.pagesTouched(0, 0)).isZero();
    assertThatThrownBy(() -> new Kvm(123)).isInstanceOf(IllegalArgumentException.class);
  }
}
