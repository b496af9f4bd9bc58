package org.vfiosim.script;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Linux errno values (x86_64, {@code include/uapi/asm-generic/errno-base.h} and {@code errno.h},
 * plus the kernel-internal {@code ERESTARTSYS} and {@code ENOTSUPP} from
 * {@code include/linux/errno.h}). Kernel entry points return them negated ({@code -EINVAL} is -22).
 *
 * <p>Self-contained on purpose (no other vfiosim class used): it is the single name/number table for
 * parsing {@code expect=-EINVAL} and for printing {@code = -EINVAL}. Aliases ({@code EWOULDBLOCK},
 * {@code EDEADLOCK}) are left out so that name and number map one to one.
 */
public enum Errno {
  EPERM(1),
  ENOENT(2),
  ESRCH(3),
  EINTR(4),
  EIO(5),
  ENXIO(6),
  E2BIG(7),
  ENOEXEC(8),
  EBADF(9),
  ECHILD(10),
  EAGAIN(11),
  ENOMEM(12),
  EACCES(13),
  EFAULT(14),
  ENOTBLK(15),
  EBUSY(16),
  EEXIST(17),
  EXDEV(18),
  ENODEV(19),
  ENOTDIR(20),
  EISDIR(21),
  EINVAL(22),
  ENFILE(23),
  EMFILE(24),
  ENOTTY(25),
  ETXTBSY(26),
  EFBIG(27),
  ENOSPC(28),
  ESPIPE(29),
  EROFS(30),
  EMLINK(31),
  EPIPE(32),
  EDOM(33),
  ERANGE(34),
  EDEADLK(35),
  ENAMETOOLONG(36),
  ENOLCK(37),
  ENOSYS(38),
  ENOTEMPTY(39),
  ELOOP(40),
  EOVERFLOW(75),
  EOPNOTSUPP(95),
  ETIMEDOUT(110),
  ECANCELED(125),
  ERESTARTSYS(512),
  ENOTSUPP(524);

  private static final Map<String, Errno> BY_NAME = new HashMap<>();
  private static final Map<Integer, Errno> BY_NUMBER = new HashMap<>();

  static {
    for (Errno e : values()) {
      BY_NAME.put(e.name(), e);
      BY_NUMBER.put(e.number, e);
    }
  }

  private final int number;

  Errno(int number) {
    this.number = number;
  }

  /** The positive errno number ({@code EINVAL} is 22). */
  public int number() {
    return number;
  }

  /** The value a kernel function returns for this error: {@code -number()}. */
  public int ret() {
    return -number;
  }

  /** {@code "-EINVAL"}: how scripts and output spell a returned error. */
  public String retName() {
    return "-" + name();
  }

  /** By name without the minus sign ({@code "EINVAL"}). */
  public static Optional<Errno> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** By positive number ({@code 22}). */
  public static Optional<Errno> byNumber(long number) {
    if (number <= 0 || number > Integer.MAX_VALUE) {
      return Optional.empty();
    }
    return Optional.ofNullable(BY_NUMBER.get((int) number));
  }

  /**
   * A kernel return value as scripts print it: a known negative errno as {@code -EINVAL}, anything
   * else as a decimal number.
   */
  public static String format(long ret) {
    if (ret < 0 && ret != Long.MIN_VALUE) {
      Optional<Errno> e = byNumber(-ret);
      if (e.isPresent()) {
        return e.get().retName();
      }
    }
    return Long.toString(ret);
  }
}
