package org.vfiosim.actors;

import static org.vfiosim.kernel.Errno.ENODEV;

import java.util.ArrayList;
import java.util.List;
import org.vfiosim.run.Finding;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.FramePool;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimThread;

/**
 * The host-wide VFIO core ({@code static struct vfio} in vfio.c:40): the global {@code group_list}
 * and {@code vfio.group_lock}. It lives in the host domain, so every call into it from a VM or GPU
 * crosses domains and pays {@code costs.call.cross-domain} each way.
 */
public final class VfioCore extends SimActor<VfioCore.Msg> {

  /** Protocol. */
  public sealed interface Msg permits GroupGetFromIommu {}

  /**
   * {@code vfio_group_get_from_iommu()}: walk {@code vfio.group_list} under {@code vfio.group_lock}
   * for {@code group}. Replies 0 when found, -ENODEV otherwise. (The kernel's {@code kref_get} under
   * the lock is done by the caller on its own group right after the reply.)
   */
  public record GroupGetFromIommu(VfioGroup group) implements Msg {}

  private final KernelModel k;
  final SimMutex groupLock;
  /** Groups in creation order; {@code vfio_create_group()} list_add()s at the head, so the newest is walked first. */
  private final List<VfioGroup> groupList = new ArrayList<>();
  private int[] position = new int[0];
  final List<Finding> findings = new ArrayList<>();

  VfioCore(KernelModel k, Domain host) {
    super("vfio");
    this.k = k;
    this.groupLock = k.model.mutex(k.groupLock, "host", host);
  }

  /** {@code vfio_create_group()}: links the group at the head of {@code vfio.group_list} (setup). */
  void registerGroup(VfioGroup g) {
    if (g.index >= position.length) {
      position = java.util.Arrays.copyOf(position, Math.max(g.index + 1, position.length * 2 + 1));
    }
    groupList.add(g);
    position[g.index] = groupList.size();
  }

  /** Groups on the list. */
  public int groups() {
    return groupList.size();
  }

  /** Lookup frames, reused (see FramePool). */
  private final FramePool<Lookup> lookups = new FramePool<>(Lookup::new);

  @Override
  protected Frame receive(SimThread t, Msg msg) {
    return lookups.take().init(((GroupGetFromIommu) msg).group());
  }

  /** vfio_group_get_from_iommu() (v5.10 vfio.c:484). */
  private final class Lookup extends Frame {
    private VfioGroup group;

    Lookup init(VfioGroup group) {
      this.group = group;
      return this;
    }

    @Override
    protected void recycle() {
      group = null;
      lookups.give(this);
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          if (!t.lock(groupLock, KernelModel.AT_GROUP_GET_FROM_IOMMU)) {
            return;
          }
          // fall through
        case 1: {
          // list_for_each_entry from the head: the newest group first, stop at the match
          int registeredAt = group.index < position.length ? position[group.index] : 0;
          boolean found = registeredAt > 0;
          long visited = found ? groupList.size() - registeredAt + 1 : groupList.size();
          t.cost(visited * k.costs.listWalkElement);
          t.unlock(groupLock);
          t.ret(found ? 0 : -ENODEV);
          return;
        }
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "vfio_group_get_from_iommu";
    }
  }
}
