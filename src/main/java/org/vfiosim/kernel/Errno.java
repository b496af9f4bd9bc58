package org.vfiosim.kernel;

import java.util.Locale;
import java.util.OptionalLong;

/** Linux x86_64 errno values ({@code include/uapi/asm-generic/errno-base.h}, {@code errno.h}). */
public final class Errno {
  private Errno() {}

  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int E2BIG = 7;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EFAULT = 14;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int ENODEV = 19;
  public static final int EINVAL = 22;
  public static final int ENOTTY = 25;
  public static final int ENOSPC = 28;
  /** {@code EDEADLK}; x86 defines {@code EDEADLOCK} as the same value (iommufd's unmap retry). */
  public static final int EDEADLK = 35;

  private static final String[] NAMES = new String[EDEADLK + 1];

  static {
    NAMES[EPERM] = "EPERM";
    NAMES[ENOENT] = "ENOENT";
    NAMES[ESRCH] = "ESRCH";
    NAMES[EINTR] = "EINTR";
    NAMES[EIO] = "EIO";
    NAMES[E2BIG] = "E2BIG";
    NAMES[ENOMEM] = "ENOMEM";
    NAMES[EACCES] = "EACCES";
    NAMES[EFAULT] = "EFAULT";
    NAMES[EBUSY] = "EBUSY";
    NAMES[EEXIST] = "EEXIST";
    NAMES[ENODEV] = "ENODEV";
    NAMES[EINVAL] = "EINVAL";
    NAMES[ENOTTY] = "ENOTTY";
    NAMES[ENOSPC] = "ENOSPC";
    NAMES[EDEADLK] = "EDEADLK";
  }

  /**
   * A kernel return value as the scripts print it: {@code -EINVAL} for -22, the decimal number for
   * anything else (0, counts, unknown errnos).
   */
  public static String name(long ret) {
    if (ret < 0 && ret >= -EDEADLK && NAMES[(int) -ret] != null) {
      return "-" + NAMES[(int) -ret];
    }
    return Long.toString(ret);
  }

  /**
   * The negative value of an errno name written {@code -EINVAL} (case-insensitive; {@code
   * -EDEADLOCK} is accepted as an alias of {@code -EDEADLK}); empty for anything else.
   */
  public static OptionalLong parse(String s) {
    if (s == null || s.length() < 2 || s.charAt(0) != '-') {
      return OptionalLong.empty();
    }
    String n = s.substring(1).toUpperCase(Locale.ROOT);
    if (n.equals("EDEADLOCK")) {
      return OptionalLong.of(-EDEADLK);
    }
    for (int i = 0; i < NAMES.length; i++) {
      if (n.equals(NAMES[i])) {
        return OptionalLong.of(-i);
      }
    }
    return OptionalLong.empty();
  }
}
