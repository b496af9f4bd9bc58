package org.vfiosim.actors;

import static org.vfiosim.kernel.KernelConstants.PAGE_SHIFT;

import java.util.ArrayList;
import java.util.List;
import org.vfiosim.kernel.GuestBacking;
import org.vfiosim.kernel.GvtCache;
import org.vfiosim.kernel.VfioDma;
import org.vfiosim.kernel.VfioPfn;
import org.vfiosim.run.Invariant;

/**
 * The end-of-run invariants of design §6 over a {@link KernelModel}. A container that hit BUG() is
 * skipped (its state is what the oops left).
 */
final class Invariants {
  private Invariants() {}

  static List<Invariant> of(KernelModel k) {
    List<Invariant> out = new ArrayList<>();
    out.add(Invariant.of("every vfio_pfn reference is held by a kvmgt cache entry or an explicit pin", () -> {
      List<String> v = new ArrayList<>();
      for (KernelModel.Vm vm : k.vms()) {
        Container c = vm.container();
        if (c.crashed()) {
          continue;
        }
        long refs = 0;
        for (VfioDma d : c.t1.dmaList()) {
          for (VfioPfn p : d.pfnList()) {
            refs += p.refCount();
          }
        }
        long kvmgtRefs = 0;
        for (KernelModel.Vgpu g : k.vgpus()) {
          if (g.vm() == vm) {
            for (GvtCache.GvtDma e : g.kvmgt().cache.entries()) {
              kvmgtRefs += e.npages();
            }
          }
        }
        if (refs + c.droppedRefs != kvmgtRefs + c.otherRefs) {
          v.add(vm.name() + ": vfio_pfn references " + refs + " (+" + c.droppedRefs + " dropped at detach) != kvmgt cache pages "
              + kvmgtRefs + " + explicit pins " + c.otherRefs);
        }
      }
      return v;
    }));
    out.add(Invariant.of("every pinned host page is held by a vfio_pfn, an IOMMU mapping, or a known leak", () -> {
      List<String> v = new ArrayList<>();
      for (KernelModel.Vm vm : k.vms()) {
        if (vm.container().crashed()) {
          continue;
        }
        long expected = 0;
        for (VfioDma d : vm.container().t1.dmaList()) {
          expected += nonReservedPfns(d);
          if (d.iommuMapped()) {
            expected += ramPages(vm, d);
          }
        }
        expected += vm.container().leakedPins;
        long pins = vm.mm().state.totalPins();
        if (pins != expected) {
          v.add(vm.name() + ": " + pins + " FOLL_PIN page pins, " + expected + " expected ("
              + (pins - expected) + " leaked)");
        }
      }
      return v;
    }));
    out.add(Invariant.of("locked_vm equals the pages pinned for accounting containers", () -> {
      List<String> v = new ArrayList<>();
      for (KernelModel.Vm vm : k.vms()) {
        Container c = vm.container();
        if (c.crashed() || !vm.mm().state.alive()) {
          continue; // once the mm is gone its accounting cannot be undone (vfio_lock_acct: -ESRCH)
        }
        long expected = c.leakedAccounted;
        for (VfioDma d : c.t1.dmaList()) {
          if (c.t1.doAccounting()) {
            expected += nonReservedPfns(d);
          }
          if (d.iommuMapped()) {
            expected += ramPages(vm, d);
          }
        }
        long locked = vm.mm().state.lockedVm();
        if (locked != expected) {
          v.add(vm.name() + ": locked_vm " + locked + " != " + expected + " pinned pages");
        }
      }
      return v;
    }));
    out.add(Invariant.of("dma_avail + mappings == dma_entry_limit", () -> {
      List<String> v = new ArrayList<>();
      for (KernelModel.Vm vm : k.vms()) {
        vm.container().t1.checkInvariants().ifPresent(s -> v.add(vm.name() + ": " + s));
      }
      return v;
    }));
    out.add(Invariant.of("container_users and group krefs match their holders", () -> {
      List<String> v = new ArrayList<>();
      for (KernelModel.Vgpu g : k.vgpus()) {
        VfioGroup gr = g.group();
        if (!gr.groupFdOpen) {
          continue; // never created (a vgpu declared after the last statement ran)
        }
        if (gr.containerUsers.value != gr.expectedContainerUsers()) {
          v.add(g.name() + ": container_users " + gr.containerUsers.value + " != " + gr.expectedContainerUsers()
              + " holders");
        }
        if (gr.kref.value != gr.expectedKref()) {
          v.add(g.name() + ": group kref " + gr.kref.value + " != " + gr.expectedKref() + " references");
        }
      }
      return v;
    }));
    return out;
  }

  /**
   * After every VM shut down (design §6): nothing mapped, pinned or accounted is left, every kvmgt
   * cache is empty, and each group is back at its baseline (detached, container_users 0, kref held
   * only by its creator and its devices).
   */
  static List<Invariant> teardown(KernelModel k) {
    List<Invariant> out = new ArrayList<>();
    out.add(Invariant.of("after shutdown no mapping, pin or locked_vm is left", () -> {
      List<String> v = new ArrayList<>();
      for (KernelModel.Vm vm : k.vms()) {
        Container c = vm.container();
        if (c.crashed()) {
          continue;
        }
        if (!c.t1.dmaList().isEmpty()) {
          v.add(vm.name() + ": " + c.t1.dmaList().count() + " vfio_dma left after shutdown");
        }
        if (vm.mm().state.totalPins() != 0) {
          v.add(vm.name() + ": " + vm.mm().state.totalPins() + " pages still pinned after shutdown");
        }
        // an exited QEMU's mm is freed with its locked_vm (exit_mm → mmput → mmdrop): the unpins
        // after it could not unaccount (vfio_lock_acct: get_task_mm NULL, -ESRCH), and need not
        if (vm.mm().state.alive() && vm.mm().state.lockedVm() != 0) {
          v.add(vm.name() + ": locked_vm " + vm.mm().state.lockedVm() + " after shutdown");
        }
      }
      for (KernelModel.Vgpu g : k.vgpus()) {
        if (!g.kvmgt().cache.entries().isEmpty()) {
          v.add(g.name() + ": " + g.kvmgt().cache.entries().size() + " gvt_cache entries after release");
        }
      }
      return v;
    }));
    out.add(Invariant.of("after shutdown every group is back at its baseline", () -> {
      List<String> v = new ArrayList<>();
      for (KernelModel.Vgpu g : k.vgpus()) {
        VfioGroup gr = g.group();
        if (g.vm().container().crashed()) {
          continue; // its detach could not run after the BUG (the oops left &iommu->lock held)
        }
        if (gr.container() != null) {
          v.add(g.name() + ": group still attached to its container");
        }
        if (gr.containerUsers.value != 0) {
          v.add(g.name() + ": container_users " + gr.containerUsers.value + " after shutdown, 0 expected");
        }
        if (gr.kref.value != 1 + gr.devices) {
          v.add(g.name() + ": group kref " + gr.kref.value + " after shutdown, " + (1 + gr.devices)
              + " expected (creator and devices)");
        }
      }
      return v;
    }));
    return out;
  }

  /** The dma's vfio_pfns whose page is not reserved (each holds one pin; accounted when the container accounts). */
  private static long nonReservedPfns(VfioDma d) {
    long n = 0;
    for (VfioPfn p : d.pfnList()) {
      if (!GuestBacking.isReservedPfn(p.pfn())) {
        n++;
      }
    }
    return n;
  }

  /** Non-reserved pages of an IOMMU-mapped dma (each pinned and accounted at MAP time). */
  private static long ramPages(KernelModel.Vm vm, VfioDma d) {
    long n = 0;
    GuestBacking b = vm.mm().state.backing();
    for (long p = 0; p < d.npages(); p++) {
      long pfn = b.pfnOf(d.vaddr() + (p << PAGE_SHIFT));
      if (pfn >= 0 && !GuestBacking.isReservedPfn(pfn)) {
        n++;
      }
    }
    return n;
  }
}
