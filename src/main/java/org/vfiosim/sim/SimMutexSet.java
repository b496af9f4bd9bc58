package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The mutexes of one class embedded in objects a simulated thread makes and frees at run time, e.g.
 * {@code &dma->pfn_list_lock} of each {@code struct vfio_dma} of one container (mutex_init in
 * vfio_dma_do_map, freed with the dma). Only the set is registered with the {@link Model}: it is
 * the instance lock_stat, the top-instances table and the end-of-run checks see, with the figures
 * of all its members (each member writes them here as it goes) and held while any live member is.
 * A freed member is dropped, so a run that maps and unmaps all the time keeps only its live ones.
 *
 * <p>Members are made and freed by the threads of the set's domain, in virtual-time order, so
 * which members exist never depends on the layout or the thread count.
 */
public final class SimMutexSet extends SimLock {
  private final List<SimMutex> live = new ArrayList<>();
  private int made;

  public SimMutexSet(LockClass cls, String owner, Domain domain) {
    super(cls, owner, domain);
    if (cls.kind == LockKind.RWSEM) {
      throw new IllegalArgumentException(cls.name + " is an rwsem");
    }
  }

  /** A new member (mutex_init): lock it with {@link SimThread#lock}; its trace and reports name it {@code CLASS owner}. */
  public SimMutex add(String owner) {
    SimMutex m = new SimMutex(cls, owner, domain, this);
    live.add(m);
    made++;
    return m;
  }

  /** The member's object is freed: a held or waited-for member is a model bug. */
  public void remove(SimMutex m) {
    if (m.isHeld() || !m.waiters().isEmpty()) {
      throw new IllegalStateException(m + " freed while held or waited for");
    }
    for (int i = live.size() - 1; i >= 0; i--) { // the newest first: a region just mapped goes first
      if (live.get(i) == m) {
        live.remove(i);
        return;
      }
    }
    throw new IllegalStateException(m + " is not a live member of " + this);
  }

  /** Members alive now. */
  public int live() {
    return live.size();
  }

  @Override
  public int instances() {
    return made;
  }

  @Override
  boolean request(SimThread t, byte mode, CallSite site) {
    throw new SimulationError(t.name + " locks " + this + ", a set of locks: lock one of its members");
  }

  @Override
  void release(SimThread t, byte mode, long since) {
    throw new SimulationError(t.name + " releases " + this + ", a set of locks");
  }

  @Override
  public boolean isHeld() {
    for (SimMutex m : live) {
      if (m.isHeld()) {
        return true;
      }
    }
    return false;
  }

  @Override
  List<SimThread> waiters() {
    List<SimThread> out = new ArrayList<>();
    for (SimMutex m : live) {
      out.addAll(m.waiters());
    }
    return out;
  }

  @Override
  List<SimThread> holders() {
    List<SimThread> out = new ArrayList<>();
    for (SimMutex m : live) {
      out.addAll(m.holders());
    }
    return out;
  }
}
