package org.vfiosim.actors;

import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import org.vfiosim.sim.Domain;
import org.vfiosim.sim.FramePool;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimRwsem;
import org.vfiosim.sim.SimThread;

/**
 * A KVM VM ({@code struct kvm}): its memslots (guest RAM GPA [0, mem)) and {@code kvm->srcu}, the
 * SRCU that memslot readers hold. v5.6 kvmgt reads and writes guest memory through here.
 */
public final class Kvm extends SimActor<Kvm.Msg> {

  /** Protocol. */
  public sealed interface Msg permits ReadGuest, WriteGuest {}

  /** {@code kvm_read_guest(kvm, gpa, data, len)}: 0 or -EFAULT. The caller holds {@code kvm->srcu}. */
  public record ReadGuest(long gpa, long len) implements Msg {}

  /** {@code kvm_write_guest(kvm, gpa, data, len)}: 0 or -EFAULT. The caller holds {@code kvm->srcu}. */
  public record WriteGuest(long gpa, long len) implements Msg {}

  private final KernelModel k;
  private final org.vfiosim.kernel.Kvm memslots;
  /** {@code kvm->srcu}: read sections only (SRCU readers never block each other or writers). */
  final SimRwsem srcu;
  /** {@code kvm->mm}: the QEMU process that created the VM. */
  final Mm mm;
  /** {@code kvm->users_count} ({@code kvm_get_kvm} / {@code kvm_put_kvm}). */
  final org.vfiosim.sim.AtomicVar users;

  Kvm(KernelModel k, String vm, Domain d, long mem, Mm mm) {
    super(vm + "/kvm");
    this.k = k;
    this.memslots = new org.vfiosim.kernel.Kvm(mem);
    this.srcu = k.model.rwsem(k.kvmSrcu, vm, d);
    this.mm = mm;
    this.users = k.model.atomic(vm + ":kvm.users_count", k.costs.atomicRmw, k.costs.atomicBounce, 1);
  }

  /** Guest read/write frames, reused (see FramePool). */
  private final FramePool<GuestRw> guestRws = new FramePool<>(GuestRw::new);

  @Override
  protected KFrame receive(SimThread t, Msg msg) {
    if (msg instanceof ReadGuest r) {
      return guestRws.take().init(r.gpa(), r.len(), false);
    }
    WriteGuest w = (WriteGuest) msg;
    return guestRws.take().init(w.gpa(), w.len(), true);
  }

  /**
   * kvm_read_guest / kvm_write_guest (virt/kvm/kvm_main.c): page by page, a memslot lookup
   * ({@code gfn_to_memslot}) and a copy from or to the host virtual address; -EFAULT outside the
   * memslots (the pages before the fault are already copied).
   */
  private final class GuestRw extends KFrame {
    private long gpa;
    private long len;
    private boolean write;

    GuestRw init(long gpa, long len, boolean write) {
      this.gpa = gpa;
      this.len = len;
      this.write = write;
      return this;
    }

    @Override
    protected void recycle() {
      guestRws.give(this);
    }

    @Override
    protected void run(SimThread t) {
      long pages = org.vfiosim.kernel.Kvm.pagesTouched(gpa, len);
      begin(t, write ? k.opKvmWriteGuest : k.opKvmReadGuest, pages, k.costs.callEntry);
      long ok = memslots.accessibleBytes(gpa, len);
      long okPages = org.vfiosim.kernel.Kvm.pagesTouched(gpa, ok);
      // kvm_read/write_guest: per page (next_segment), gfn_to_memslot and one __copy_from/to_user
      t.cost(Math.max(1, okPages) * k.costs.memslotLookup);
      long left = ok;
      long offset = gpa & (PAGE_SIZE - 1);
      while (left > 0) {
        long seg = Math.min(left, PAGE_SIZE - offset);
        t.cost(k.costs.copy(seg));
        left -= seg;
        offset = 0;
      }
      leave(t, memslots.checkGuestAccess(gpa, len));
    }

    @Override
    public String function() {
      return write ? "kvm_write_guest" : "kvm_read_guest";
    }
  }
}
