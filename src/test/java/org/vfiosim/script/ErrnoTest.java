package org.vfiosim.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrnoTest {

  @Test
  void linuxX8664Values() {
    assertThat(Errno.EPERM.number()).isEqualTo(1);
    assertThat(Errno.ENOENT.number()).isEqualTo(2);
    assertThat(Errno.ESRCH.number()).isEqualTo(3);
    assertThat(Errno.EINTR.number()).isEqualTo(4);
    assertThat(Errno.EIO.number()).isEqualTo(5);
    assertThat(Errno.E2BIG.number()).isEqualTo(7);
    assertThat(Errno.ENOMEM.number()).isEqualTo(12);
    assertThat(Errno.EACCES.number()).isEqualTo(13);
    assertThat(Errno.EFAULT.number()).isEqualTo(14);
    assertThat(Errno.EBUSY.number()).isEqualTo(16);
    assertThat(Errno.EEXIST.number()).isEqualTo(17);
    assertThat(Errno.ENODEV.number()).isEqualTo(19);
    assertThat(Errno.EINVAL.number()).isEqualTo(22);
    assertThat(Errno.ENOTTY.number()).isEqualTo(25);
    assertThat(Errno.ENOSPC.number()).isEqualTo(28);
    assertThat(Errno.EDEADLK.number()).isEqualTo(35);
    assertThat(Errno.ERESTARTSYS.number()).isEqualTo(512);
  }

  @Test
  void namesAndNumbersMapOneToOne() {
    Set<Integer> numbers = new HashSet<>();
    for (Errno e : Errno.values()) {
      assertThat(numbers.add(e.number())).as(e.name()).isTrue();
      assertThat(Errno.byName(e.name())).contains(e);
      assertThat(Errno.byNumber(e.number())).contains(e);
      assertThat(e.ret()).isEqualTo(-e.number());
    }
  }

  @Test
  void format() {
    assertThat(Errno.format(-22)).isEqualTo("-EINVAL");
    assertThat(Errno.format(-7)).isEqualTo("-E2BIG");
    assertThat(Errno.format(0)).isEqualTo("0");
    assertThat(Errno.format(512)).isEqualTo("512");
    assertThat(Errno.format(-4000)).isEqualTo("-4000");
    assertThat(Errno.format(Long.MIN_VALUE)).isEqualTo(Long.toString(Long.MIN_VALUE));
    assertThat(Errno.byName("EFOO")).isEmpty();
    assertThat(Errno.byNumber(0)).isEmpty();
    assertThat(Errno.byNumber(1L << 40)).isEmpty();
  }
}
