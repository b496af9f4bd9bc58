package org.vfiosim.kernel;

/**
 * A QEMU process's {@code mm_struct} and task as VFIO sees them: {@code locked_vm},
 * RLIMIT_MEMLOCK, CAP_IPC_LOCK, whether the task still has an mm, its address space ({@link
 * GuestBacking}) and the FOLL_PIN counts of the host pages it has pinned.
 *
 * <p>Identity matters: {@code vfio_dma.task} points at the mapper's MmState and {@code
 * dma->task->mm != current->mm} is an identity comparison.
 */
public final class MmState {
  /** RLIMIT_MEMLOCK = RLIM_INFINITY, in pages. */
  public static final long RLIM_INFINITY = Long.MAX_VALUE;

  private final GuestBacking backing;
  private final long rlimitMemlock;
  private final boolean capIpcLock;
  private final PfnPinCounts pins = new PfnPinCounts();
  private long lockedVm;
  private boolean alive = true;
  private long gupCalls;
  private long warnings;

  /**
   * @param rlimitMemlock RLIMIT_MEMLOCK in pages ({@code rlimit >> PAGE_SHIFT}), or {@link
   *     #RLIM_INFINITY}
   * @param capIpcLock whether the process has CAP_IPC_LOCK (sampled into {@code vfio_dma.lock_cap}
   *     at MAP time)
   */
  public MmState(GuestBacking backing, long rlimitMemlock, boolean capIpcLock) {
    if (rlimitMemlock < 0) {
      throw new IllegalArgumentException("negative RLIMIT_MEMLOCK " + rlimitMemlock);
    }
    this.backing = backing;
    this.rlimitMemlock = rlimitMemlock;
    this.capIpcLock = capIpcLock;
  }

  /** An mm with unlimited RLIMIT_MEMLOCK and no CAP_IPC_LOCK (the script defaults). */
  public MmState(GuestBacking backing) {
    this(backing, RLIM_INFINITY, false);
  }

  public GuestBacking backing() {
    return backing;
  }

  /** {@code mm->locked_vm}, in pages. */
  public long lockedVm() {
    return lockedVm;
  }

  /** RLIMIT_MEMLOCK in pages, {@link #RLIM_INFINITY} when unlimited. */
  public long rlimitMemlock() {
    return rlimitMemlock;
  }

  public boolean capIpcLock() {
    return capIpcLock;
  }

  /** False once QEMU has exited: {@code get_task_mm()} returns NULL and {@code task->mm} is NULL. */
  public boolean alive() {
    return alive;
  }

  /** QEMU exits: the mm goes away (pins and locked_vm are left as they are: leaks stay visible). */
  public void exit() {
    alive = false;
  }

  /** {@code pin_user_pages_remote()} calls so far. */
  public long gupCalls() {
    return gupCalls;
  }

  /** WARNs hit on this mm (locked_vm underflow in {@code __account_locked_vm()}). */
  public long warnings() {
    return warnings;
  }

  /** Zeroes the counters that assertions read ({@code gup_calls}); state is untouched. */
  public void resetCounters() {
    gupCalls = 0;
  }

  /**
   * {@code __account_locked_vm(mm, npage, inc, task, bypass_rlim = lockCap)} (v5.10 mm/util.c),
   * run by {@code vfio_lock_acct()} under the mmap write lock.
   *
   * @return 0, or -ENOMEM when an increment would exceed RLIMIT_MEMLOCK without {@code lockCap}
   */
  public int accountLockedVm(long npage, boolean inc, boolean lockCap) {
    if (npage < 0) {
      throw new IllegalArgumentException("npage is a magnitude: " + npage);
    }
    if (inc) {
      // __account_locked_vm(): unless bypass_rlim, fail if locked_vm + pages > limit
      if (!lockCap && npage > rlimitMemlock - lockedVm) {
        return -Errno.ENOMEM;
      }
      lockedVm += npage;
      return 0;
    }
    // __account_locked_vm(): WARN_ON_ONCE(pages > locked_vm). The kernel then wraps the unsigned
    // counter; the model clamps to 0 so that later accounting stays meaningful, and counts the WARN.
    if (npage > lockedVm) {
      warnings++;
      lockedVm = 0;
    } else {
      lockedVm -= npage;
    }
    return 0;
  }

  /**
   * The RLIMIT pre-check of {@code vfio_pin_pages_remote()} (MAP path): {@code !lock_cap &&
   * mm->locked_vm + npage > limit}.
   */
  public boolean overMemlock(long npage, boolean lockCap) {
    return !lockCap && npage > rlimitMemlock - lockedVm;
  }

  /**
   * {@code vaddr_get_pfn()}: one {@code pin_user_pages_remote()} call (counted in {@link
   * #gupCalls}). RAM → the page is pinned (FOLL_PIN) and its pfn returned. VM_PFNMAP → GUP fails and
   * the {@code follow_fault_pfn()} fallback returns the reserved pfn without pinning. Anything else
   * → -EFAULT. The caller checks {@link #alive()} first ({@code get_task_mm()} NULL is its errno).
   * Guest RAM and MMIO are writable, so {@code FOLL_WRITE} never fails here.
   */
  public long vaddrGetPfn(long vaddr) {
    gupCalls++;
    long pfn = backing.pfnOf(vaddr);
    if (pfn < 0) {
      return pfn;
    }
    if (!GuestBacking.isReservedPfn(pfn)) {
      pin(pfn);
    }
    return pfn;
  }

  /**
   * One {@code pin_user_pages_remote(mm, vaddr, npage, ...)} call over consecutive vaddrs (the bulk
   * GUP of Xu's {@code contiguous_vaddr_get_pfn}, and of MAP-path batching). It pins RAM pages until
   * the first page that is not RAM (GUP stops at a VM_PFNMAP vma or a hole; there is no PFNMAP
   * fallback on this path).
   *
   * @param pfns receives the pfn of each pinned page, from index 0
   * @return pages pinned, or -EFAULT when not even the first page could be pinned
   */
  public int pinUserPagesRemote(long vaddr, int npage, long[] pfns) {
    if (npage <= 0) {
      throw new IllegalArgumentException("npage " + npage);
    }
    gupCalls++;
    int done = 0;
    for (; done < npage; done++) {
      long v = vaddr + ((long) done << KernelConstants.PAGE_SHIFT);
      if (!backing.isRam(v)) {
        break;
      }
      long pfn = backing.pfnOf(v);
      pin(pfn);
      pfns[done] = pfn;
    }
    return done == 0 ? -Errno.EFAULT : done;
  }

  /**
   * {@code put_pfn()}: unpins a valid, non-reserved pfn and returns 1; returns 0 for a reserved one
   * (so it is not counted as unlocked).
   */
  public int putPfn(long pfn) {
    if (GuestBacking.isReservedPfn(pfn)) {
      return 0;
    }
    unpin(pfn);
    return 1;
  }

  /** One FOLL_PIN on {@code pfn} (page refcount += GUP_PIN_COUNTING_BIAS). */
  public void pin(long pfn) {
    if (GuestBacking.isReservedPfn(pfn)) {
      throw new IllegalArgumentException("reserved pfn 0x" + Long.toHexString(pfn) + " cannot be pinned");
    }
    pins.increment(pfn);
  }

  /** Drops one FOLL_PIN; unpinning a page with no pin is a simulator bug (exception). */
  public void unpin(long pfn) {
    pins.decrement(pfn);
  }

  /** FOLL_PIN count of {@code pfn}. */
  public int pinCount(long pfn) {
    return pins.get(pfn);
  }

  /** Page refcount held by pins: {@code GUP_PIN_COUNTING_BIAS × pinCount}. */
  public long pinRefcount(long pfn) {
    return (long) KernelConstants.GUP_PIN_COUNTING_BIAS * pins.get(pfn);
  }

  /** Distinct host pages with at least one pin (a non-zero value after teardown is a LEAK). */
  public long pinnedPages() {
    return pins.size();
  }

  /** Sum of all pin counts. */
  public long totalPins() {
    return pins.total();
  }

  /** The pinned pfns in ascending order (for leak reports). */
  public long[] pinnedPfns() {
    return pins.sortedPfns();
  }
}
