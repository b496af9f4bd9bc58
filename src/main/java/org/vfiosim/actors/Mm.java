package org.vfiosim.actors;

import static org.vfiosim.kernel.Errno.EFAULT;
import static org.vfiosim.kernel.Errno.ESRCH;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import org.vfiosim.kernel.GuestBacking;
import org.vfiosim.kernel.MmState;
import org.vfiosim.sim.AtomicVar;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.FramePool;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimRwsem;
import org.vfiosim.sim.SimThread;

/**
 * A QEMU process's {@code mm_struct} and task: {@code &mm->mmap_lock} (read for GUP, write for
 * accounting), {@code task_lock} ({@code &p->alloc_lock}), {@code mm_users}, and the pure state
 * ({@link MmState}: locked_vm, RLIMIT_MEMLOCK, page pins, the address space).
 */
public final class Mm extends SimActor<Mm.Msg> {

  /** Protocol: the mm helpers type1 and kvmgt call. */
  public sealed interface Msg permits GetTaskMm, Mmput, VaddrGetPfn, PinUserPagesRemote, LockAcct, PutPfn, CopyUser {}

  /** {@code get_task_mm(task)}: replies 1 with an mm reference ({@code mm_users}++), 0 for NULL. */
  public record GetTaskMm() implements Msg {}

  /** {@code mmput(mm)}. */
  public record Mmput() implements Msg {}

  /** The one {@link GetTaskMm} (it has no fields: no need for one per call). */
  public static final GetTaskMm GET_TASK_MM = new GetTaskMm();

  /** The one {@link Mmput}. */
  public static final Mmput MMPUT = new Mmput();

  /** {@code vaddr_get_pfn(mm, vaddr, prot)}: replies the pfn, or -errno. */
  public record VaddrGetPfn(long vaddr) implements Msg {}

  /** One {@code pin_user_pages_remote()} over {@code npage} pages (Xu's bulk GUP): replies pages pinned or -errno. */
  public record PinUserPagesRemote(long vaddr, int npage, long[] pfns) implements Msg {}

  /**
   * {@code vfio_lock_acct(dma, npage, async)}: {@code npage} signed; {@code async} takes its own mm
   * reference ({@code get_task_mm}) as every external-pin caller does. Replies 0, -ENOMEM or -ESRCH.
   */
  public record LockAcct(long npage, boolean lockCap, boolean async) implements Msg {}

  /** {@code put_pfn(pfn, prot)}: replies 1 when a page was unpinned, 0 for a reserved pfn. */
  public record PutPfn(long pfn) implements Msg {}

  /** {@code copy_to_user}/{@code copy_from_user} of {@code len} bytes at {@code vaddr}: 0 or -EFAULT. */
  public record CopyUser(long vaddr, long len, boolean write) implements Msg {}

  private final KernelModel k;
  /** The pure state: locked_vm, rlimit, pins, address space. */
  public final MmState state;
  final SimRwsem mmapLock;
  final SimMutex taskLock;
  final AtomicVar mmUsers;

  // Frames of the hot helpers, reused (see FramePool).
  private final FramePool<GetTaskMmFrame> getTaskMmFrames = new FramePool<>(GetTaskMmFrame::new);
  private final FramePool<MmputFrame> mmputFrames = new FramePool<>(MmputFrame::new);
  private final FramePool<VaddrGetPfnFrame> vaddrGetPfnFrames = new FramePool<>(VaddrGetPfnFrame::new);
  private final FramePool<LockAcctFrame> lockAcctFrames = new FramePool<>(LockAcctFrame::new);
  private final FramePool<PutPfnFrame> putPfnFrames = new FramePool<>(PutPfnFrame::new);
  private final FramePool<CopyUserFrame> copyUserFrames = new FramePool<>(CopyUserFrame::new);

  Mm(KernelModel k, String vm, Domain d, MmState state) {
    super(vm + "/mm");
    this.k = k;
    this.state = state;
    this.mmapLock = k.model.rwsem(k.mmapLock, vm, d);
    this.taskLock = k.model.mutex(k.taskLock, vm, d);
    this.mmUsers = k.model.atomic(vm + ":mm_users", k.costs.atomicRmw, k.costs.atomicBounce, 1);
  }

  /** The QEMU process exits: its mm is gone at once ({@code exit_mm()}); fds close later. */
  public void exit() {
    state.exit();
  }

  @Override
  protected Frame receive(SimThread t, Msg msg) {
    if (msg instanceof GetTaskMm) {
      return getTaskMmFrames.take().init();
    }
    if (msg instanceof Mmput) {
      return mmputFrames.take().init();
    }
    if (msg instanceof VaddrGetPfn m) {
      return vaddrGetPfnFrames.take().init(m.vaddr());
    }
    if (msg instanceof PinUserPagesRemote m) {
      return new PinUserPagesFrame(m);
    }
    if (msg instanceof LockAcct m) {
      return lockAcctFrames.take().init(m.npage(), m.lockCap(), m.async());
    }
    if (msg instanceof PutPfn m) {
      return putPfnFrames.take().init(m.pfn());
    }
    CopyUser m = (CopyUser) msg;
    return copyUserFrames.take().init(m.vaddr(), m.len(), m.write());
  }

  /** get_task_mm(): task_lock; mm = task->mm; if (mm) mmget(mm); task_unlock. */
  private final class GetTaskMmFrame extends Frame {
    private boolean alive;

    GetTaskMmFrame init() {
      alive = false;
      return this;
    }

    @Override
    protected void recycle() {
      getTaskMmFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          if (!t.lock(taskLock, KernelModel.AT_GET_TASK_MM)) {
            return;
          }
          // fall through
        case 1:
          // task_lock from another task: alloc_lock shares its cache line with pi_lock, which
          // try_to_wake_up() takes at every wake-up of the QEMU thread, so the line comes from
          // that thread's CPU
          if (!(t.attachment instanceof Task cur) || cur.mm() != Mm.this) {
            t.cost(k.costs.atomicBounce);
          }
          alive = state.alive();
          if (alive) {
            pc = 2;
            if (!t.atomic(mmUsers)) {
              return;
            }
          }
          // fall through
        case 2:
          if (alive) {
            mmUsers.value++;
          }
          t.unlock(taskLock);
          t.ret(alive ? 1 : 0);
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "get_task_mm";
    }
  }

  /** mmput(): atomic mm_users--. */
  private final class MmputFrame extends Frame {
    MmputFrame init() {
      return this;
    }

    @Override
    protected void recycle() {
      mmputFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          if (!t.atomic(mmUsers)) {
            return;
          }
          // fall through
        case 1:
          mmUsers.value--;
          t.ret(0);
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "mmput";
    }
  }

  /** vaddr_get_pfn(): mmap_read_lock; pin_user_pages_remote(1) or the VM_PFNMAP fallback; unlock. */
  private final class VaddrGetPfnFrame extends Frame {
    private long vaddr;

    VaddrGetPfnFrame init(long vaddr) {
      this.vaddr = vaddr;
      return this;
    }

    @Override
    protected void recycle() {
      vaddrGetPfnFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          if (!t.lockRead(mmapLock, KernelModel.AT_VADDR_GET_PFN)) {
            return;
          }
          // fall through
        case 1: {
          t.cost(k.costs.gupCall + k.costs.gupPage);
          long r = state.vaddrGetPfn(vaddr);
          t.unlockRead(mmapLock);
          t.ret(r);
          return;
        }
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "vaddr_get_pfn";
    }
  }

  /** contiguous_vaddr_get_pfn() of Xu's patch: one mmap_read_lock and one GUP call for the run. */
  private final class PinUserPagesFrame extends Frame {
    private final PinUserPagesRemote m;

    PinUserPagesFrame(PinUserPagesRemote m) {
      this.m = m;
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          t.cost(k.costs.kzalloc); // kvmalloc_array of the page array
          pc = 1;
          if (!t.lockRead(mmapLock, KernelModel.AT_CONTIG_GET_PFN)) {
            return;
          }
          // fall through
        case 1: {
          int r = state.pinUserPagesRemote(m.vaddr(), m.npage(), m.pfns());
          t.cost(k.costs.gupCall + (long) Math.max(0, r) * k.costs.gupPage);
          t.unlockRead(mmapLock);
          t.cost(k.costs.kfree);
          t.ret(r);
          return;
        }
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "contiguous_vaddr_get_pfn";
    }
  }

  /**
   * vfio_lock_acct() (v5.10 type1.c:367): npage == 0 → 0 with no locking; async: get_task_mm
   * (NULL → -ESRCH); mmap_write_lock; __account_locked_vm; mmap_write_unlock; async: mmput.
   */
  private final class LockAcctFrame extends Frame {
    private long npage;
    private boolean lockCap;
    private boolean async;
    private long ret;

    LockAcctFrame init(long npage, boolean lockCap, boolean async) {
      this.npage = npage;
      this.lockCap = lockCap;
      this.async = async;
      this.ret = 0;
      return this;
    }

    @Override
    protected void recycle() {
      lockAcctFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            if (npage == 0) {
              t.ret(0);
              return;
            }
            if (async) {
              pc = 1;
              t.call(getTaskMmFrames.take().init());
              return;
            }
            if (!state.alive()) { // dma->task->mm is NULL once the task exited
              t.ret(-ESRCH);
              return;
            }
            pc = 2;
            continue;
          case 1:
            if (t.retval == 0) {
              t.ret(-ESRCH);
              return;
            }
            pc = 2;
            continue;
          case 2:
            pc = 3;
            if (!t.lock(mmapLock, KernelModel.AT_LOCK_ACCT)) { // mmap_write_lock_killable
              return;
            }
            continue;
          case 3:
            t.cost(k.costs.account);
            ret = state.accountLockedVm(Math.abs(npage), npage > 0, lockCap);
            t.unlock(mmapLock);
            if (async) {
              pc = 4;
              t.call(mmputFrames.take().init());
              return;
            }
            t.ret(ret);
            return;
          case 4:
            t.ret(ret);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "vfio_lock_acct";
    }
  }

  /** put_pfn(): unpin_user_pages_dirty_lock for a valid, non-reserved pfn. */
  private final class PutPfnFrame extends Frame {
    private long pfn;

    PutPfnFrame init(long pfn) {
      this.pfn = pfn;
      return this;
    }

    @Override
    protected void recycle() {
      putPfnFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      if (GuestBacking.isReservedPfn(pfn)) {
        t.ret(0);
        return;
      }
      t.cost(k.costs.putPfn);
      t.ret(state.putPfn(pfn));
    }

    @Override
    public String function() {
      return "put_pfn";
    }
  }

  /** copy_to_user / copy_from_user into the QEMU address space (guest RAM or a PFNMAP range). */
  private final class CopyUserFrame extends Frame {
    private long vaddr;
    private long len;
    private boolean write;

    CopyUserFrame init(long vaddr, long len, boolean write) {
      this.vaddr = vaddr;
      this.len = len;
      this.write = write;
      return this;
    }

    @Override
    protected void recycle() {
      copyUserFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      t.cost(k.costs.copy(len));
      long first = vaddr & ~(PAGE_SIZE - 1);
      long last = vaddr + len - 1;
      GuestBacking b = state.backing();
      for (long v = first; Long.compareUnsigned(v, last) <= 0; v += PAGE_SIZE) {
        if (b.pfnOf(v) < 0) {
          // all-or-nothing per chunk: any uncopied byte makes the chunk copy nothing
          t.ret(-EFAULT);
          return;
        }
        if (v + PAGE_SIZE < v) {
          break;
        }
      }
      t.ret(0);
    }

    @Override
    public String function() {
      return write ? "copy_to_user" : "copy_from_user";
    }
  }
}
