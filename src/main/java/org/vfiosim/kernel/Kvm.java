package org.vfiosim.kernel;

import static org.vfiosim.kernel.KernelConstants.PAGE_SHIFT;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

/**
 * A KVM VM's memslots as {@code kvm_read_guest}/{@code kvm_write_guest} see them: one slot of guest
 * RAM at GPA {@code [0, mem)} (the v5.6 kvmgt guest rw path, §2.13). Whether the VM's mm is still
 * alive ({@code mmget_not_zero(kvm->mm)} in a kthread, -EFAULT) is the caller's check on {@link
 * MmState#alive()}.
 */
public final class Kvm {
  private final long mem;

  /** @param mem guest RAM bytes (GPA {@code [0, mem)}) */
  public Kvm(long mem) {
    if (mem <= 0 || mem % PAGE_SIZE != 0) {
      throw new IllegalArgumentException("guest mem " + mem);
    }
    this.mem = mem;
  }

  public long mem() {
    return mem;
  }

  /** {@code gfn_to_hva()} succeeds: the gfn lies in a memslot. */
  public boolean gfnValid(long gfn) {
    return gfn >= 0 && gfn < (mem >>> PAGE_SHIFT);
  }

  /**
   * {@code kvm_read_guest}/{@code kvm_write_guest(kvm, gpa, data, len)}: 0, or -EFAULT when a page
   * of {@code [gpa, gpa+len)} is outside every memslot ({@code kvm_is_error_hva}). len 0 → 0.
   */
  public int checkGuestAccess(long gpa, long len) {
    return accessibleBytes(gpa, len) == len ? 0 : -Errno.EFAULT;
  }

  /**
   * Bytes the page-by-page loop copies before it fails: a failing {@code kvm_write_guest} leaves
   * this prefix written.
   */
  public long accessibleBytes(long gpa, long len) {
    if (len <= 0) {
      return 0;
    }
    if (gpa < 0 || gpa >= mem) {
      return 0;
    }
    return Math.min(len, mem - gpa);
  }

  /** Iterations of {@code kvm_read_guest}'s segment loop: pages {@code [gpa, gpa+len)} touches. */
  public static long pagesTouched(long gpa, long len) {
    if (len <= 0) {
      return 0;
    }
    return ((gpa + len - 1) >>> PAGE_SHIFT) - (gpa >>> PAGE_SHIFT) + 1;
  }
}
