package org.vfiosim.kernel;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Linux x86_64 errno values ({@code include/uapi/asm-generic/errno-base.h}, {@code errno.h},
 * {@code include/linux/errno.h} for the kernel-internal ones), and their script spelling
 * ({@code -EINVAL}). Kernel code returns {@code -Errno.EINVAL}.
 */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int ENXIO = 6;
  public static final int E2BIG = 7;
  public static final int ENOEXEC = 8;
  public static final int EBADF = 9;
  public static final int ECHILD = 10;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EFAULT = 14;
  public static final int ENOTBLK = 15;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EXDEV = 18;
  public static final int ENODEV = 19;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int ENFILE = 23;
  public static final int EMFILE = 24;
  public static final int ENOTTY = 25;
  public static final int ETXTBSY = 26;
  public static final int EFBIG = 27;
  public static final int ENOSPC = 28;
  public static final int ESPIPE = 29;
  public static final int EROFS = 30;
  public static final int EMLINK = 31;
  public static final int EPIPE = 32;
  public static final int EDOM = 33;
  public static final int ERANGE = 34;
  public static final int EDEADLK = 35;
  public static final int ENAMETOOLONG = 36;
  public static final int ENOLCK = 37;
  public static final int ENOSYS = 38;
  public static final int ENOTEMPTY = 39;
  public static final int ELOOP = 40;
  public static final int EOVERFLOW = 75;
  public static final int EOPNOTSUPP = 95;
  public static final int ETIMEDOUT = 110;
  public static final int ECANCELED = 125;
  public static final int ERESTARTSYS = 512;
  public static final int ENOTSUPP = 524;

  private static final Map<Integer, String> NAMES = new TreeMap<>();
  private static final Map<String, Integer> NUMBERS = new TreeMap<>();

  static {
    put(EPERM, "EPERM");
    put(ENOENT, "ENOENT");
    put(ESRCH, "ESRCH");
    put(EINTR, "EINTR");
    put(EIO, "EIO");
    put(ENXIO, "ENXIO");
    put(E2BIG, "E2BIG");
    put(ENOEXEC, "ENOEXEC");
    put(EBADF, "EBADF");
    put(ECHILD, "ECHILD");
    put(EAGAIN, "EAGAIN");
    put(ENOMEM, "ENOMEM");
    put(EACCES, "EACCES");
    put(EFAULT, "EFAULT");
    put(ENOTBLK, "ENOTBLK");
    put(EBUSY, "EBUSY");
    put(EEXIST, "EEXIST");
    put(EXDEV, "EXDEV");
    put(ENODEV, "ENODEV");
    put(ENOTDIR, "ENOTDIR");
    put(EISDIR, "EISDIR");
    put(EINVAL, "EINVAL");
    put(ENFILE, "ENFILE");
    put(EMFILE, "EMFILE");
    put(ENOTTY, "ENOTTY");
    put(ETXTBSY, "ETXTBSY");
    put(EFBIG, "EFBIG");
    put(ENOSPC, "ENOSPC");
    put(ESPIPE, "ESPIPE");
    put(EROFS, "EROFS");
    put(EMLINK, "EMLINK");
    put(EPIPE, "EPIPE");
    put(EDOM, "EDOM");
    put(ERANGE, "ERANGE");
    put(EDEADLK, "EDEADLK");
    put(ENAMETOOLONG, "ENAMETOOLONG");
    put(ENOLCK, "ENOLCK");
    put(ENOSYS, "ENOSYS");
    put(ENOTEMPTY, "ENOTEMPTY");
    put(ELOOP, "ELOOP");
    put(EOVERFLOW, "EOVERFLOW");
    put(EOPNOTSUPP, "EOPNOTSUPP");
    put(ETIMEDOUT, "ETIMEDOUT");
    put(ECANCELED, "ECANCELED");
    put(ERESTARTSYS, "ERESTARTSYS");
    put(ENOTSUPP, "ENOTSUPP");
    NUMBERS.put("EDEADLOCK", EDEADLK); // x86 alias, iommufd's unmap retry error
  }

  private static void put(int number, String name) {
    NAMES.put(number, name);
    NUMBERS.put(name, number);
  }

  private Errno() {}

  /**
   * A kernel return value as the scripts print it: {@code -EINVAL} for -22, the decimal number for
   * anything else (0, counts, unknown errnos).
   */
  public static String name(long ret) {
    if (ret < 0 && ret >= -Integer.MAX_VALUE) {
      String n = NAMES.get((int) -ret);
      if (n != null) {
        return "-" + n;
      }
    }
    return Long.toString(ret);
  }

  /**
   * The (negative) return value written {@code -EINVAL}, exactly as the kernel spells the name
   * ({@code -EDEADLOCK} is accepted as an alias of {@code -EDEADLK}); empty for anything else.
   */
  public static OptionalLong parse(String s) {
    if (s == null || s.length() < 2 || s.charAt(0) != '-') {
      return OptionalLong.empty();
    }
    Integer n = NUMBERS.get(s.substring(1));
    return n == null ? OptionalLong.empty() : OptionalLong.of(-n);
  }
}
