package org.vfiosim.actors;

import java.util.ArrayList;
import java.util.List;
import org.vfiosim.kernel.DmaAddrAllocator;
import org.vfiosim.sim.AtomicVar;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimThread;

/**
 * One physical GPU's GVT device ({@code struct intel_gvt}): {@code &gvt->lock},
 * {@code &gvt->sched_lock} (global across the VMs on this GPU), the host IOMMU addresses handed
 * out by {@code dma_map_page} for the i915 device, and the list of its vGPUs.
 */
public final class Gvt extends SimActor<Gvt.Msg> {

  /** Protocol. */
  public sealed interface Msg permits VgpuExist {}

  /** {@code __kvmgt_vgpu_exist(vgpu, kvm)}: 1 when another active vGPU of this GPU is bound to the caller's KVM. */
  public record VgpuExist(Kvmgt asking) implements Msg {}

  private final KernelModel k;
  final String gpu;
  final SimMutex gvtLock;
  /** {@code &gvt->sched_lock}: held around workload completion (update_guest_context). */
  public final SimMutex schedLock;
  /** Host IOMMU addresses of the i915 device. */
  final DmaAddrAllocator dmaAddrs = new DmaAddrAllocator();
  /** A kref's cache line (gvt_dma.ref updates under cache_lock). */
  final AtomicVar krefLine;
  final List<Kvmgt> vgpus = new ArrayList<>();

  Gvt(KernelModel k, String gpu, Domain d) {
    super(gpu + "/gvt");
    this.k = k;
    this.gpu = gpu;
    this.gvtLock = k.model.mutex(k.gvtLock, gpu, d);
    this.schedLock = k.model.mutex(k.schedLock, gpu, d);
    this.krefLine = k.model.atomic(gpu + ":gvt_dma.ref", k.costs.atomicRmw, k.costs.atomicBounce, 0);
  }

  @Override
  protected KFrame receive(SimThread t, Msg msg) {
    return new VgpuExistFrame(((VgpuExist) msg).asking());
  }

  /** __kvmgt_vgpu_exist() (v5.10 kvmgt.c): under &gvt->lock, every active vGPU of this GPU. */
  private final class VgpuExistFrame extends KFrame {
    private final Kvmgt asking;

    VgpuExistFrame(Kvmgt asking) {
      this.asking = asking;
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          pc = 1;
          if (!t.lock(gvtLock, KernelModel.AT_VGPU_EXIST)) {
            return;
          }
          // fall through
        case 1: {
          boolean exists = false;
          t.cost(vgpus.size() * k.costs.listWalkElement);
          for (Kvmgt v : vgpus) {
            if (v != asking && v.handleValid && v.kvm != null && v.kvm == asking.kvm) {
              exists = true;
              break;
            }
          }
          t.unlock(gvtLock);
          t.ret(exists ? 1 : 0);
          return;
        }
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "__kvmgt_vgpu_exist";
    }
  }
}
