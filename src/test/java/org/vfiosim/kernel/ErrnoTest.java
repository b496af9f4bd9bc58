package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ErrnoTest {
  @Test
  void valuesAreTheX86_64Numbers() {
    assertThat(new int[] {
          Errno.EPERM, Errno.ENOENT, Errno.ESRCH, Errno.EINTR, Errno.EIO, Errno.E2BIG, Errno.ENOMEM,
          Errno.EACCES, Errno.EFAULT, Errno.EBUSY, Errno.EEXIST, Errno.ENODEV, Errno.EINVAL,
          Errno.ENOTTY, Errno.ENOSPC, Errno.EDEADLK})
        .containsExactly(1, 2, 3, 4, 5, 7, 12, 13, 14, 16, 17, 19, 22, 25, 28, 35);
  }

  @Test
  void nameOfErrnoReturnsAndOfOtherValues() {
    assertThat(Errno.name(-22)).isEqualTo("-EINVAL");
    assertThat(Errno.name(-Errno.E2BIG)).isEqualTo("-E2BIG");
    assertThat(Errno.name(-Errno.EDEADLK)).isEqualTo("-EDEADLK");
    assertThat(Errno.name(0)).isEqualTo("0");
    assertThat(Errno.name(512)).isEqualTo("512");
    assertThat(Errno.name(-6)).isEqualTo("-ENXIO");
    assertThat(Errno.name(-512)).isEqualTo("-ERESTARTSYS");
    assertThat(Errno.name(-511)).isEqualTo("-511");
    assertThat(Errno.name(-1000)).isEqualTo("-1000");
    assertThat(Errno.name(Long.MIN_VALUE)).isEqualTo(Long.toString(Long.MIN_VALUE));
  }

  @Test
  void parseRoundTripsEveryName() {
    for (int e = 1; e <= 35; e++) {
      String n = Errno.name(-e);
      if (!n.equals(Long.toString(-e))) {
        assertThat(Errno.parse(n)).as(n).isEqualTo(OptionalLong.of(-e));
      }
    }
    assertThat(Errno.parse("-EINVAL")).isEqualTo(OptionalLong.of(-22));
    assertThat(Errno.parse("-einval")).as("names are case-sensitive, as the kernel spells them").isEmpty();
    assertThat(Errno.parse("-EDEADLOCK")).isEqualTo(OptionalLong.of(-35));
  }

  @Test
  void parseRejectsNonNames() {
    assertThat(Errno.parse("EINVAL")).isEmpty();
    assertThat(Errno.parse("-22")).isEmpty();
    assertThat(Errno.parse("-")).isEmpty();
    assertThat(Errno.parse("-EFOO")).isEmpty();
    assertThat(Errno.parse(null)).isEmpty();
  }
}
