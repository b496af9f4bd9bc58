package org.vfiosim.workload;

import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vfiosim.actors.Container;
import org.vfiosim.actors.Gvt;
import org.vfiosim.actors.GvtWorkload;
import org.vfiosim.actors.KernelModel;
import org.vfiosim.actors.Kvmgt;
import org.vfiosim.actors.Task;
import org.vfiosim.actors.VfioGroup;
import org.vfiosim.kernel.Costs;
import org.vfiosim.kernel.Generation;
import org.vfiosim.kernel.GuestBacking;
import org.vfiosim.run.Invariant;
import org.vfiosim.sim.CallSite;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.LockModeStats;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimThread;

/**
 * The GVT-g fleet: N VMs with vGPUs doing graphics work on one host (design §1, reference §1.9,
 * §2.13, §5B, §9). Each vGPU's guest submits GPU workloads and writes shadowed GTT entries; one
 * workload thread per engine of each physical GPU scans and shadows the workloads of all its
 * vGPUs (small guest reads/writes through kvmgt_rw_gpa, the context pages in and out); QEMU maps
 * guest RAM at boot, optionally churns a hot-plug region, and shuts the VM down at the end.
 *
 * <p>All randomness comes from the seed: one stream per VM, so adding a VM does not change
 * another VM's sequence of actions.
 */
public final class GvtFleet {
  private static final long QEMU_RAM_BASE = 0x7f0000000000L;
  private static final CallSite AT_EMULATE_MMIO = CallSite.of("intel_vgpu_emulate_mmio_write");

  /** The workload settings ({@code vfiosim.fleet.*}). */
  public record Params(
      int vms,
      int vgpusPerVm,
      int vgpusPerGpu,
      long guestMem,
      double durationMs,
      double guestUptimeMs,
      int engines,
      double workloadRateHz,
      double gpuExecUs,
      int rwPerWorkload,
      double readShare,
      double readPageShare,
      int ctxPages,
      double ctxBreakShare,
      double gttRateHz,
      double gttHitRatio,
      double gtt2mShare,
      double gttUnmapShare,
      int gttWorkingSet,
      long hotplugMem,
      double churnIntervalMs,
      double gttHotplugShare) {}

  /** What a built fleet exposes to the run: its kernel model and the per-VM / per-GPU results. */
  public static final class Fleet {
    public final KernelModel k;
    public final Params p;
    public final FleetFaults faults;
    final List<VmRun> vms = new ArrayList<>();
    final List<GpuRun> gpus = new ArrayList<>();
    final long durationCycles;
    final long uptimeCycles;
    final double cpuGhz;

    Fleet(KernelModel k, Params p, FleetFaults faults, long durationCycles, double cpuGhz) {
      this.k = k;
      this.p = p;
      this.faults = faults;
      this.durationCycles = durationCycles;
      this.uptimeCycles = Math.round(p.guestUptimeMs() * cpuGhz * 1_000_000);
      this.cpuGhz = cpuGhz;
    }
  }

  /** Per VM: its stack, its vGPUs, what its guest did. */
  static final class VmRun {
    final KernelModel.Vm vm;
    final List<KernelModel.Vgpu> vgpus = new ArrayList<>();
    final List<GuestVcpu> vcpus = new ArrayList<>();
    long shutdownStart = -1;
    long shutdownEnd = -1;
    long bootEnd = -1;
    /** When the guests stop submitting and QEMU starts its shutdown: bootEnd + duration. */
    long workEnd = -1;
    long errors;
    SimThread qemuThread;
    /** qemu-crash fault: how long after the end of boot QEMU crashes, else Long.MAX_VALUE. */
    long crashAfter = Long.MAX_VALUE;
    /** When this VM's QEMU crashes (bootEnd + crashAfter), else Long.MAX_VALUE. */
    long crashAt = Long.MAX_VALUE;
    /** When the guest stops: workEnd, or the crash. */
    long guestEnd;
    /** What the crash left (qemu-crash): locked_vm and pinned pages when the mm went, -1 before. */
    long lockedVmAtExit = -1;
    long pinsAtExit = -1;
    /** release-race: when QEMU dropped the groups from KVM, and when its UNMAP_DMA of RAM began. */
    long groupDelAt = -1;
    long raceUnmapAt = -1;
    /** The kworkers of this VM's release-race vGPUs (null for the others). */
    SimThread[] kworkers;
    /** Released once per vGPU when QEMU has opened the vGPUs: the guests start. */
    final org.vfiosim.sim.SimSemaphore booted;
    /** Released by each guest when it stops. */
    final org.vfiosim.sim.SimSemaphore vcpusStopped;

    VmRun(KernelModel.Vm vm) {
      this.vm = vm;
      this.booted = new org.vfiosim.sim.SimSemaphore(vm.name() + ":booted", 0);
      this.vcpusStopped = new org.vfiosim.sim.SimSemaphore(vm.name() + ":stopped", 0);
    }
  }

  /** Per GPU: its GVT device and the VMs that use it. */
  static final class GpuRun {
    final KernelModel.Gpu gpu;
    final List<VmRun> vms = new ArrayList<>();
    SimThread[] engineThreads;
    SimThread serviceThread;
    SimThread timerThread;

    GpuRun(KernelModel.Gpu gpu) {
      this.gpu = gpu;
    }
  }

  private GvtFleet() {}

  /** Physical GPUs: enough for vgpus-per-gpu each, and at least vgpus-per-vm (one KVM, one vGPU per GPU). */
  static int gpuCount(Params p) {
    long total = (long) p.vms() * p.vgpusPerVm();
    return (int) Math.max((total + p.vgpusPerGpu() - 1) / p.vgpusPerGpu(), p.vgpusPerVm());
  }

  /** Builds the fleet on a fresh kernel model. */
  public static Fleet build(Costs costs, Generation gen, KernelModel.Variants variants, Params p, FleetFaults faults,
      long seed, double cpuGhz) {
    KernelModel k = new KernelModel(costs, gen, variants);
    long duration = Math.round(p.durationMs() * cpuGhz * 1_000_000);
    Fleet f = new Fleet(k, p, faults, duration, cpuGhz);
    int gpus = gpuCount(p);
    long total = (long) p.vms() * p.vgpusPerVm();
    long perGpu = (total + gpus - 1) / gpus;

    // vGPU j of VM i is the (j * vms + i)-th in a column-major order, filled into GPUs in turn:
    // a VM's vGPUs land on different GPUs. Domains: union of each VM with its GPUs.
    int[] gpuOf = new int[(int) total];
    int[] parent = new int[gpus];
    for (int g = 0; g < gpus; g++) {
      parent[g] = g;
    }
    for (int i = 0; i < p.vms(); i++) {
      int first = -1;
      for (int j = 0; j < p.vgpusPerVm(); j++) {
        int g = (int) (((long) j * p.vms() + i) / perGpu);
        gpuOf[i * p.vgpusPerVm() + j] = g;
        if (first < 0) {
          first = g;
        } else {
          union(parent, first, g);
        }
      }
    }
    Map<Integer, Domain> domainOf = new LinkedHashMap<>();
    for (int g = 0; g < gpus; g++) {
      int root = find(parent, g);
      domainOf.computeIfAbsent(root, r -> k.model.domain("gpu" + r));
    }
    for (int g = 0; g < gpus; g++) {
      f.gpus.add(new GpuRun(k.addGpu("gpu" + g, domainOf.get(find(parent, g)))));
    }

    long ramSize = p.guestMem() - p.hotplugMem();
    for (int i = 0; i < p.vms(); i++) {
      String name = "vm" + i;
      Domain d = f.gpus.get(gpuOf[i * p.vgpusPerVm()]).gpu.domain();
      KernelModel.Vm vm = k.addVm(name, d, vmSpec(p, faults, name));
      VmRun run = new VmRun(vm);
      if (faults.crashVms().contains(name)) {
        run.crashAfter = Math.round(faults.crashAtMs() * cpuGhz * 1_000_000);
      }
      run.kworkers = new SimThread[p.vgpusPerVm()];
      f.vms.add(run);
      SplittableRandom vmRandom = new SplittableRandom(mix(seed, i));
      for (int j = 0; j < p.vgpusPerVm(); j++) {
        GpuRun g = f.gpus.get(gpuOf[i * p.vgpusPerVm() + j]);
        String vgpuName = name + "v" + j;
        KernelModel.Vgpu v = k.addVgpu(vgpuName, vm, g.gpu, 1, !faults.buggyVendorVgpus().contains(vgpuName));
        run.vgpus.add(v);
        if (g.vms.isEmpty() || g.vms.get(g.vms.size() - 1) != run) { // VMs are added in order
          g.vms.add(run);
        }
        GuestVcpu vcpu = new GuestVcpu(f, run, v, g, vmRandom.split(), ramSize);
        run.vcpus.add(vcpu);
        SimThread t = k.model.idleThread(v.name() + "/vcpu", d);
        t.attachment = new Task(t.name, vm.mm());
        t.process = name;
        vcpu.thread = t;
      }
      SimThread qemu = k.model.idleThread(name + "/qemu", d);
      qemu.attachment = new Task(qemu.name, vm.mm());
      qemu.process = name;
      run.qemuThread = qemu;
    }
    for (GpuRun g : f.gpus) {
      SimThread[] engines = new SimThread[p.engines()];
      for (int e = 0; e < p.engines(); e++) {
        engines[e] = kthread(k, g, "/ring" + e);
      }
      g.engineThreads = engines;
      g.serviceThread = kthread(k, g, "/gvt_service_thread");
      g.timerThread = kthread(k, g, "/tbs_timer");
    }
    // release-race: a kworker per such vGPU for kvmgt's release_work (made last: the other
    // threads keep their ids, so a run without the fault is unchanged)
    for (VmRun run : f.vms) {
      for (int j = 0; j < run.vgpus.size(); j++) {
        KernelModel.Vgpu v = run.vgpus.get(j);
        if (faults.raceVgpus().contains(v.name())) {
          SimThread t = k.model.idleThread(v.name() + "/kworker", run.vm.domain());
          t.attachment = Task.kthread(t.name);
          t.process = run.vm.name();
          run.kworkers[j] = t;
        }
      }
    }
    return f;
  }

  /** The VM's process and container: the defaults, with the rlimit-memlock and dma-entry-limit faults. */
  private static KernelModel.VmSpec vmSpec(Params p, FleetFaults faults, String vm) {
    KernelModel.VmSpec d = KernelModel.VmSpec.defaults(p.guestMem());
    long memlock = faults.rlimitVms().contains(vm) ? faults.rlimitPages() : d.rlimitMemlockPages();
    int dmaLimit = faults.dmaLimitVms().contains(vm) ? faults.dmaLimit() : d.dmaEntryLimit();
    return new KernelModel.VmSpec(d.mem(), memlock, d.capIpcLock(), d.type1v2(), d.iommuBacked(), d.backing(), dmaLimit);
  }

  /** The fleet as a runnable scenario: invariants, kernel findings and the vms / gpus sections. */
  public static Scenario scenario(Costs costs, Generation gen, KernelModel.Variants variants, Params p, FleetFaults faults,
      long seed, double cpuGhz) {
    Fleet f = build(costs, gen, variants, p, faults, seed, cpuGhz);
    List<Invariant> inv = new ArrayList<>(f.k.invariants());
    inv.addAll(f.k.teardownInvariants());
    inv.add(Invariant.of("every submitted workload completed and every VM shut down", () -> fleetViolations(f)));
    return new Scenario(f.k.model, f.durationCycles, inv, f.k::findings, () -> results(f), () -> start(f));
  }

  /** Starts every thread once the model is laid out (the vGPUs exist from the start). */
  public static void start(Fleet f) {
    KernelModel k = f.k;
    for (VmRun run : f.vms) {
      for (KernelModel.Vgpu v : run.vgpus) {
        k.createAndAttach(v);
      }
    }
    for (GpuRun g : f.gpus) {
      g.gpu.gvt().startScheduler(g.engineThreads, g.serviceThread, g.timerThread, g.vms.size(), f.cpuGhz);
      // the GVT kthreads only touch their GPU and its VMs (guest rw: vfio_dma_rw or KVM)
      for (SimThread t : g.engineThreads) {
        t.neverCrossDomain();
      }
      g.serviceThread.neverCrossDomain();
      g.timerThread.neverCrossDomain();
    }
    for (VmRun run : f.vms) {
      for (int j = 0; j < run.kworkers.length; j++) {
        if (run.kworkers[j] != null) {
          run.vgpus.get(j).kvmgt().startReleaseWorker(run.kworkers[j]);
        }
      }
      run.qemuThread.start(new Qemu(f, run), 0);
      for (GuestVcpu v : run.vcpus) {
        v.thread.start(v, 0);
        if (f.k.gen.hasGroupApi()) { // v5.7+: the guest's paths never call into the host's VFIO core
          v.thread.neverCrossDomain();
        }
      }
    }
  }

  private static List<String> fleetViolations(Fleet f) {
    List<String> v = new ArrayList<>();
    for (VmRun run : f.vms) {
      for (GuestVcpu c : run.vcpus) {
        Kvmgt kv = c.v.kvmgt();
        if (kv.workloads != c.workloads || kv.inFlight != 0) {
          v.add(c.v.name() + ": " + c.workloads + " workloads submitted, " + kv.workloads + " completed");
        }
      }
      if (run.shutdownEnd < 0) {
        v.add(run.vm.name() + ": shutdown did not complete");
      }
    }
    return v;
  }

  // ---------------------------------------------------------------- results

  /** The {@code fleet}, {@code vms} and {@code gpus} sections of results.json. */
  static Map<String, Object> results(Fleet f) {
    Map<String, Object> out = new LinkedHashMap<>();
    long workloads = 0;
    long workloadCycles = 0;
    List<Object> vms = new ArrayList<>(f.vms.size());
    for (VmRun run : f.vms) {
      long w = 0;
      long wc = 0;
      long maps = 0;
      long mapC = 0;
      long unmaps = 0;
      long unmapC = 0;
      List<String> gpus = new ArrayList<>();
      for (GuestVcpu c : run.vcpus) {
        w += c.v.kvmgt().workloads;
        wc += c.v.kvmgt().workloadCycles;
        maps += c.gttMaps;
        mapC += c.mapCycles;
        unmaps += c.gttUnmaps;
        unmapC += c.unmapCycles;
        if (!gpus.contains(c.gpu.gpu.name())) {
          gpus.add(c.gpu.gpu.name());
        }
      }
      workloads += w;
      workloadCycles += wc;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", run.vm.name());
      m.put("gpus", gpus);
      m.put("workloads", w);
      m.put("workload_mean_cycles", mean(wc, w));
      m.put("gtt_maps", maps);
      m.put("gtt_map_mean_cycles", mean(mapC, maps));
      m.put("gtt_unmaps", unmaps);
      m.put("gtt_unmap_mean_cycles", mean(unmapC, unmaps));
      m.put("errors", run.errors);
      m.put("boot_cycles", run.bootEnd);
      m.put("shutdown_cycles", run.shutdownEnd < 0 ? -1 : run.shutdownEnd - run.shutdownStart);
      m.put("iommu_lock", lockJson(run.vm.container().iommuLock()));
      StringBuilder digest = new StringBuilder();
      for (GuestVcpu c : run.vcpus) {
        digest.append(digest.length() == 0 ? "" : ",").append(String.format("%016x", c.digest));
      }
      m.put("actions_digest", digest.toString());
      vms.add(m);
    }
    List<Object> gpus = new ArrayList<>(f.gpus.size());
    for (GpuRun g : f.gpus) {
      long w = 0;
      long wc = 0;
      int vgpus = 0;
      for (VmRun run : g.vms) {
        for (GuestVcpu c : run.vcpus) {
          if (c.gpu == g) {
            vgpus++;
            w += c.v.kvmgt().workloads;
            wc += c.v.kvmgt().workloadCycles;
          }
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", g.gpu.name());
      m.put("vgpus", vgpus);
      m.put("vms", g.vms.size());
      m.put("workloads", w);
      m.put("workload_mean_cycles", mean(wc, w));
      m.put("vgpu_switches", g.gpu.gvt().switches);
      m.put("schedule_runs", g.gpu.gvt().scheduleRuns);
      m.put("sched_lock", lockJson(g.gpu.gvt().schedLock));
      gpus.add(m);
    }
    long[] where = new long[4];
    for (GpuRun g : f.gpus) {
      Gvt gvt = g.gpu.gvt();
      where[0] += gvt.queuedCycles;
      where[1] += gvt.dispatchCycles;
      where[2] += gvt.execCycles;
      where[3] += gvt.completeCycles;
    }
    Map<String, Object> fleet = new LinkedHashMap<>();
    fleet.put("vms", f.p.vms());
    fleet.put("vgpus", (long) f.p.vms() * f.p.vgpusPerVm());
    fleet.put("gpus", f.gpus.size());
    fleet.put("engines_per_gpu", f.p.engines());
    fleet.put("duration_cycles", f.durationCycles);
    fleet.put("workloads", workloads);
    fleet.put("workload_mean_cycles", mean(workloadCycles, workloads));
    // where a workload's time went, mean cycles per workload (the four add up to the mean)
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("queued", mean(where[0], workloads));
    split.put("dispatch", mean(where[1], workloads));
    split.put("gpu", mean(where[2], workloads));
    split.put("complete", mean(where[3], workloads));
    fleet.put("workload_split_mean_cycles", split);
    out.put("fleet", fleet);
    out.put("vms", vms);
    out.put("gpus", gpus);
    if (f.faults.any()) {
      out.put("faults", faultResults(f));
    }
    return out;
  }

  /** What each configured fault did (results.json {@code faults}). */
  private static Map<String, Object> faultResults(Fleet f) {
    FleetFaults fl = f.faults;
    Map<String, Object> out = new LinkedHashMap<>();
    List<Object> buggy = new ArrayList<>();
    List<Object> crashes = new ArrayList<>();
    List<Object> races = new ArrayList<>();
    List<Object> limits = new ArrayList<>();
    for (VmRun run : f.vms) {
      String vm = run.vm.name();
      for (KernelModel.Vgpu v : run.vgpus) {
        if (fl.buggyVendorVgpus().contains(v.name())) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("vgpu", v.name());
          m.put("vm", vm);
          m.put("notifier_calls", run.vm.container().t1.notifierCalls());
          m.put("container_bug", run.vm.container().crashed());
          buggy.add(m);
        }
        if (fl.raceVgpus().contains(v.name())) {
          Kvmgt kv = v.kvmgt();
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("vgpu", v.name());
          m.put("vm", vm);
          m.put("group_del_cycles", run.groupDelAt);
          m.put("release_start_cycles", kv.releaseStartedAt);
          m.put("notifier_unregistered_cycles", kv.iommuNotifierGoneAt);
          m.put("cache_destroyed_cycles", kv.cacheDestroyedAt);
          m.put("unmap_cycles", run.raceUnmapAt);
          m.put("unmap_in_window", run.raceUnmapAt >= 0 && kv.iommuNotifierGoneAt >= 0
              && run.raceUnmapAt >= kv.iommuNotifierGoneAt
              && (kv.cacheDestroyedAt < 0 || run.raceUnmapAt < kv.cacheDestroyedAt));
          m.put("container_bug", run.vm.container().crashed());
          races.add(m);
        }
      }
      if (fl.crashVms().contains(vm)) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vm", vm);
        m.put("crash_cycles", run.crashAt);
        m.put("locked_vm_at_exit", run.lockedVmAtExit);
        m.put("pinned_pages_at_exit", run.pinsAtExit);
        m.put("pinned_pages_after_close", run.vm.mm().state.totalPins());
        m.put("mappings_after_close", run.vm.container().t1.dmaCount());
        m.put("fds_closed_cycles", run.shutdownEnd);
        crashes.add(m);
      }
      boolean rl = fl.rlimitVms().contains(vm);
      boolean dl = fl.dmaLimitVms().contains(vm);
      if (rl || dl) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vm", vm);
        if (rl) {
          m.put("rlimit_memlock_pages", fl.rlimitPages());
        }
        if (dl) {
          m.put("dma_entry_limit", fl.dmaLimit());
        }
        m.put("errors", run.errors);
        limits.add(m);
      }
    }
    out.put("buggy_vendor", buggy);
    out.put("qemu_crash", crashes);
    out.put("release_race", races);
    out.put("limits", limits);
    return out;
  }

  /** A lock's figures: a mutex's, an rwsem's write side with its read side under {@code read}. */
  private static Map<String, Object> lockJson(SimLock l) {
    Map<String, Object> m = modeJson(l.writeStats());
    if (l.readStats() != null) {
      m.put("read", modeJson(l.readStats()));
    }
    return m;
  }

  private static Map<String, Object> modeJson(LockModeStats s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("acquisitions", s.acquisitions());
    m.put("contentions", s.contentions());
    m.put("wait_total_cycles", s.wait.total());
    m.put("wait_max_cycles", s.wait.max());
    m.put("hold_total_cycles", s.hold.total());
    return m;
  }

  /** A mean to one decimal (printed the same on every machine). */
  private static double mean(long total, long n) {
    return n == 0 ? 0.0 : Math.round(total * 10.0 / n) / 10.0;
  }

  private static SimThread kthread(KernelModel k, GpuRun g, String name) {
    SimThread t = k.model.idleThread(g.gpu.name() + name, g.gpu.domain());
    t.attachment = Task.kthread(t.name);
    t.process = g.gpu.name();
    return t;
  }

  private static int find(int[] parent, int x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /** SplitMix64 of (seed, stream): independent, reproducible streams per VM. */
  static long mix(long seed, long stream) {
    long z = seed * 0x9E3779B97F4A7C15L + (stream + 1) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  // ---------------------------------------------------------------- the guest

  /**
   * One vGPU's guest (its vCPU, a user thread of QEMU): two Poisson streams of events, GPU workload
   * submissions and shadowed GTT writes (MMIO emulation under &vgpu->vgpu_lock calling
   * kvmgt_dma_map_guest_page / _unmap_guest_page), until the end of the run. Every choice comes
   * from the VM's stream and the guest's own view of what it mapped, never from kernel state, so
   * the sequence of actions does not depend on timing or on other VMs.
   */
  static final class GuestVcpu extends Frame {
    private final Fleet f;
    private final VmRun run;
    private final KernelModel.Vgpu v;
    private final GpuRun gpu;
    private final SplittableRandom r;
    private final long ramPages;
    private final long gttBase;
    private final long[] mappedGfn;
    private final long[] mappedSize;
    private final long[] mappedAddr;
    /** Scratch for a workload's context runs (at most one per page), copied out at the right length. */
    private final int[] ctxRunScratch;
    private int mapped;
    SimThread thread;
    /** FNV-1a over every action the guest chose: the same for a VM whatever else runs. */
    long digest = 0xcbf29ce484222325L;
    long workloads;
    long gttMaps;
    long gttUnmaps;
    long mapCycles;
    long unmapCycles;
    private long nextArrival;
    private long t0;
    private int slot;
    private long gfn;
    private long size;

    GuestVcpu(Fleet f, VmRun run, KernelModel.Vgpu v, GpuRun gpu, SplittableRandom r, long ramSize) {
      this.f = f;
      this.run = run;
      this.v = v;
      this.gpu = gpu;
      this.r = r;
      this.ramPages = ramSize / PAGE_SIZE;
      int ws = f.p.gttWorkingSet();
      // the guest's GTT-backed pages: a region of the base RAM, 2M-aligned, per vGPU
      // (GTT pages from gttBase, the context pages 512 pages above the working set)
      long span = ((long) ws + 512 + f.p.ctxPages() + 511) / 512 * 512;
      long maxStart = Math.max(0, ramPages - span);
      this.gttBase = (r.nextLong(Math.max(1, maxStart / 512)) * 512);
      this.mappedGfn = new long[ws];
      this.ctxRunScratch = new int[Math.max(1, f.p.ctxPages())];
      this.mappedSize = new long[ws];
      this.mappedAddr = new long[ws];
    }

    private void note(long x) {
      digest = (digest ^ x) * 0x100000001b3L;
    }

    @Override
    protected void run(SimThread t) {
      Kvmgt kv = v.kvmgt();
      while (true) {
        switch (pc) {
          case 0: // wait for the vGPU to be opened by QEMU
            pc = 2;
            if (!t.down(run.booted)) {
              return;
            }
            continue;
          case 2: // the guest driver enables execlists: the vGPU joins its GPU's run queue
            // Arrivals count from the end of boot: every VM runs its workload for the same virtual
            // time however long the host took to boot the fleet.
            nextArrival = run.bootEnd;
            pc = 1;
            t.send(gpu.gpu.gvt(), new Gvt.StartSchedule(kv, f.uptimeCycles), 0);
            return;
          case 1: { // the next arrival: open-loop Poisson, so the choices never depend on timing
            double rate = f.p.workloadRateHz() + f.p.gttRateHz();
            if (rate <= 0) {
              pc = 90;
              continue;
            }
            long gap = Math.max(1, Math.round(-Math.log(1 - r.nextDouble()) / rate * f.cpuGhz * 1e9));
            boolean workload = r.nextDouble() * rate < f.p.workloadRateHz();
            nextArrival += gap;
            if (nextArrival >= run.guestEnd) { // the end of the run, or QEMU (and with it this vCPU) dies
              pc = 90;
              continue;
            }
            note(gap);
            pc = workload ? 10 : 20;
            if (nextArrival > t.now && !t.sleep(nextArrival - t.now)) {
              return;
            }
            continue;
          }
          case 10: { // submit a GPU workload
            GvtWorkload w = newWorkload(t);
            workloads++;
            kv.inFlight++;
            pc = 11;
            t.send(gpu.gpu.gvt(), new Gvt.Submit(w), 0);
            return;
          }
          case 11:
            pc = 1;
            continue;
          case 20: // a shadowed GTT entry written by the guest: MMIO emulation under vgpu_lock
            pc = 21;
            if (!t.lock(kv.vgpuLock(), AT_EMULATE_MMIO)) {
              return;
            }
            continue;
          case 21: {
            t0 = t.now;
            if (mapped > 0 && r.nextDouble() < f.p.gttUnmapShare()) {
              slot = r.nextInt(mapped);
              note(1000 + mappedGfn[slot]);
              pc = 23;
              t.send(kv, new Kvmgt.DmaUnmapGuestPage(mappedAddr[slot]), 0);
              return;
            }
            boolean big = r.nextDouble() < f.p.gtt2mShare();
            size = big ? 2L << 20 : PAGE_SIZE;
            if (mapped > 0 && !big && r.nextDouble() < f.p.gttHitRatio()) {
              slot = r.nextInt(mapped); // the same page again: a cache hit when kvmgt still has it
              gfn = mappedGfn[slot];
              size = mappedSize[slot];
            } else {
              long ws = f.p.gttWorkingSet();
              gfn = big ? gttBase + (r.nextLong(Math.max(1, ws / 512)) * 512) : gttBase + r.nextLong(ws);
              if (!big && f.p.gttHotplugShare() > 0 && r.nextDouble() < f.p.gttHotplugShare()) {
                // a page of the hot-plug region (which may be unplugged just now: then the pin fails)
                gfn = ramPages + r.nextLong(Math.min(ws, f.p.hotplugMem() / PAGE_SIZE));
              }
              slot = -1;
            }
            note(gfn * 4 + (size == PAGE_SIZE ? 1 : 2));
            pc = 22;
            t.send(kv, new Kvmgt.DmaMapGuestPage(gfn, size), 0);
            return;
          }
          case 22: {
            mapCycles += t.now - t0;
            gttMaps++;
            if (t.retval < 0) {
              run.errors++;
            } else if (slot < 0 && mapped < mappedGfn.length) {
              mappedGfn[mapped] = gfn;
              mappedSize[mapped] = size;
              mappedAddr[mapped] = kv.lastDmaAddr;
              mapped++;
            } else if (slot < 0) {
              int victim = r.nextInt(mapped);
              mappedGfn[victim] = gfn;
              mappedSize[victim] = size;
              mappedAddr[victim] = kv.lastDmaAddr;
            }
            t.unlock(kv.vgpuLock());
            pc = 1;
            continue;
          }
          case 23:
            unmapCycles += t.now - t0;
            gttUnmaps++;
            mapped--;
            mappedGfn[slot] = mappedGfn[mapped];
            mappedSize[slot] = mappedSize[mapped];
            mappedAddr[slot] = mappedAddr[mapped];
            t.unlock(kv.vgpuLock());
            pc = 1;
            continue;
          case 90: // the run is over for this guest
            pc = 91;
            if (!t.up(run.vcpusStopped)) {
              return;
            }
            continue;
          case 91:
            t.ret(0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    private GvtWorkload newWorkload(SimThread t) {
      Params p = f.p;
      int n = p.rwPerWorkload();
      long[] gpa = new long[n];
      int[] len = new int[n];
      boolean[] write = new boolean[n];
      for (int i = 0; i < n; i++) {
        boolean read = r.nextDouble() < p.readShare();
        int l;
        if (read) {
          l = r.nextDouble() < p.readPageShare() ? (int) PAGE_SIZE : 8 * (1 + r.nextInt(511));
        } else {
          l = 4 * (1 + r.nextInt(1023));
        }
        long page = r.nextLong(ramPages);
        long off = l >= PAGE_SIZE ? 0 : 8 * r.nextLong((PAGE_SIZE - l) / 8 + 1);
        gpa[i] = page * PAGE_SIZE + off;
        len[i] = l;
        write[i] = !read;
        note(gpa[i] ^ ((long) l << 48) ^ (read ? 0 : 1L << 63));
      }
      int[] runs = ctxRunScratch;
      int nRuns = 0;
      int cur = 1;
      for (int pg = 1; pg < p.ctxPages(); pg++) {
        if (r.nextDouble() < p.ctxBreakShare()) {
          runs[nRuns++] = cur;
          cur = 1;
        } else {
          cur++;
        }
      }
      runs[nRuns++] = cur;
      int[] ctxRuns = Arrays.copyOf(runs, nRuns);
      long ctxGpa = (gttBase + p.gttWorkingSet() + 512) * PAGE_SIZE;
      long exec = Math.max(1, Math.round(p.gpuExecUs() * f.cpuGhz * 1000 * (0.5 + r.nextDouble())));
      note(exec);
      int engine = p.engines() == 1 ? 0 : r.nextInt(p.engines());
      return new GvtWorkload(v.kvmgt(), engine, gpa, len, write, ctxGpa, ctxRuns, exec, t.now);
    }

    @Override
    public String function() {
      return "guest_vcpu";
    }
  }

  // ---------------------------------------------------------------- QEMU

  /**
   * A VM's QEMU main thread: at boot MAP_DMA of guest RAM (and of the hot-plug region as its own
   * mapping), then each vGPU's device open; optionally UNMAP/MAP of the hot-plug region every
   * churn interval (which fires the DMA_UNMAP notifier); at the end, once the guests stopped and
   * their workloads drained, shutdown as QEMU does it: device fds closed (kvmgt release), UNMAP
   * of everything, KVM_DEV_VFIO_GROUP_DEL, VFIO_GROUP_UNSET_CONTAINER, group fd close.
   */
  static final class Qemu extends Frame {
    private final Fleet f;
    private final VmRun run;
    private int i;
    private boolean hotplugMapped;
    private boolean lastWasMap;
    private long nextChurn;
    /** qemu-crash: the process died; its fds are closed by the kernel, not by QEMU. */
    private boolean crashed;
    /** release-race: groups already dropped from KVM; RAM unmapped before the device fds close. */
    private final boolean[] groupDeleted;
    private boolean raceOrder;
    private boolean devicesClosed;
    private int closeStep;
    /** What a crashed QEMU's exit does to each group, in close_files() order (see case 60). */
    private static final VfioGroup.Msg[] CRASH_CLOSE = {
        new VfioGroup.CloseGroupFd(), new VfioGroup.ReleaseDevice(), new VfioGroup.KvmGroupDel()};

    Qemu(Fleet f, VmRun run) {
      this.f = f;
      this.run = run;
      this.groupDeleted = new boolean[run.vgpus.size()];
    }

    /** Whether a vGPU of this VM is in the release-race fault (it has a kworker for release_work). */
    private boolean racing() {
      for (SimThread kworker : run.kworkers) {
        if (kworker != null) {
          return true;
        }
      }
      return false;
    }

    private Container container() {
      return run.vm.container();
    }

    private long ramSize() {
      return f.p.guestMem() - f.p.hotplugMem();
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0: // boot: map guest RAM at IOVA = GPA
            pc = 1;
            t.send(container(), new Container.MapDma(0, ramSize(), QEMU_RAM_BASE, 3), 0);
            return;
          case 1:
            check(t);
            if (f.p.hotplugMem() > 0) {
              pc = 2;
              t.send(container(), new Container.MapDma(ramSize(), f.p.hotplugMem(), QEMU_RAM_BASE + ramSize(), 3), 0);
              return;
            }
            pc = 3;
            continue;
          case 2:
            check(t);
            hotplugMapped = t.retval == 0;
            pc = 3;
            continue;
          case 3:
            i = 0;
            pc = 4;
            continue;
          case 4: // open each vGPU's device fd (kvmgt intel_vgpu_open)
            if (i >= run.vgpus.size()) {
              run.bootEnd = t.now;
              run.workEnd = t.now + f.durationCycles;
              if (run.crashAfter != Long.MAX_VALUE) {
                run.crashAt = t.now + run.crashAfter;
              }
              run.guestEnd = Math.min(run.workEnd, run.crashAt);
              i = 0;
              pc = 6;
              continue;
            }
            pc = 5;
            t.send(run.vgpus.get(i).group(), new VfioGroup.OpenDevice(), 0);
            return;
          case 5:
            check(t);
            i++;
            pc = 4;
            continue;
          case 6: // the guests start: one unit per vGPU
            if (i < run.vgpus.size()) {
              i++;
              if (!t.up(run.booted)) {
                return;
              }
              continue;
            }
            nextChurn = f.p.churnIntervalMs() > 0 ? t.now + churnCycles() : Long.MAX_VALUE;
            promiseHorizon(t);
            pc = 10;
            continue;
          case 10: { // run: churn the hot-plug region, or wait for the end
            long next = Math.min(nextChurn, run.guestEnd);
            if (next > t.now) {
              pc = 11;
              if (!t.sleep(next - t.now)) {
                return;
              }
              continue;
            }
            pc = 11;
            continue;
          }
          case 11:
            if (t.now >= run.crashAt) {
              pc = 50;
              continue;
            }
            if (t.now >= run.workEnd) {
              pc = 20;
              continue;
            }
            nextChurn = t.now + churnCycles() / 2;
            pc = 12;
            lastWasMap = !hotplugMapped;
            if (hotplugMapped) {
              hotplugMapped = false;
              t.send(container(), new Container.UnmapDma(ramSize(), f.p.hotplugMem()), 0);
            } else {
              hotplugMapped = true;
              t.send(container(), new Container.MapDma(ramSize(), f.p.hotplugMem(), QEMU_RAM_BASE + ramSize(), 3), 0);
            }
            return;
          case 12:
            check(t);
            if (lastWasMap && t.retval != 0) {
              hotplugMapped = false; // e.g. -ENOSPC: dma_entry_limit reached
            }
            promiseHorizon(t);
            pc = 10;
            continue;
          case 50: // qemu-crash: the process dies; do_exit: exit_mm() first (the mm is gone at once)
            run.lockedVmAtExit = run.vm.mm().state.lockedVm();
            run.pinsAtExit = run.vm.mm().state.totalPins();
            run.vm.mm().exit();
            crashed = true;
            pc = 20; // its vCPU threads die with it; the vGPUs' queued GPU work drains
            continue;
          case 20: // shutdown: the guests stop (their drivers idle the GPU), then QEMU tears down
            i = 0;
            pc = 40;
            continue;
          case 40:
            if (i < run.vcpus.size()) {
              i++;
              if (!t.down(run.vcpusStopped)) {
                return;
              }
              continue;
            }
            i = 0;
            pc = 41;
            continue;
          case 41: { // every submitted workload completes (intel_gvt_wait_vgpu_idle-like wait)
            if (i >= run.vgpus.size()) {
              run.shutdownStart = t.now;
              i = 0;
              pc = crashed ? 60 : racing() ? 70 : 21;
              continue;
            }
            KernelModel.Vgpu v = run.vgpus.get(i);
            if (v.kvmgt().inFlight == 0) {
              i++;
              continue;
            }
            // QEMU's next call to the host comes after the drain: tell the engine (lookahead)
            long bound = t.now;
            for (KernelModel.Vgpu u : run.vgpus) {
              bound = Math.max(bound, u.gpu().gvt().drainLowerBound(u.kvmgt(), t.now));
            }
            if (bound > t.crossHorizon()) {
              t.noCrossDomainBefore(bound);
            }
            if (!t.down(v.gpu().gvt().workloadCompleteWq())) {
              return;
            }
            continue;
          }
          case 21: // close each device fd: kvmgt's release destroys its cache (unpins everything)
            if (i >= run.vgpus.size()) {
              pc = raceOrder ? 25 : 23;
              continue;
            }
            pc = 22;
            t.send(run.vgpus.get(i).group(), new VfioGroup.ReleaseDevice(), 0);
            return;
          case 22:
            check(t);
            i++;
            pc = 21;
            continue;
          case 23:
            pc = 24;
            t.send(container(), new Container.UnmapDma(0, ramSize()), 0);
            return;
          case 24:
            check(t);
            if (hotplugMapped) {
              hotplugMapped = false;
              pc = 25;
              t.send(container(), new Container.UnmapDma(ramSize(), f.p.hotplugMem()), 0);
              return;
            }
            pc = 25;
            continue;
          case 25:
            i = 0;
            if (raceOrder && !devicesClosed) { // release-race: the device fds close after the unmap
              devicesClosed = true;
              pc = 21;
              continue;
            }
            pc = 26;
            continue;
          case 26: // per group: KVM drops it, QEMU unsets the container, closes the group fd
            if (i >= run.vgpus.size()) {
              pc = 30;
              continue;
            }
            if (groupDeleted[i]) {
              pc = 127;
              continue;
            }
            pc = 27;
            t.send(run.vgpus.get(i).group(), new VfioGroup.KvmGroupDel(), 0);
            return;
          case 27:
            check(t);
            pc = 127;
            continue;
          case 127:
            pc = 28;
            t.send(run.vgpus.get(i).group(), new VfioGroup.UnsetContainer(), 0);
            return;
          case 28:
            check(t);
            pc = 29;
            t.send(run.vgpus.get(i).group(), new VfioGroup.CloseGroupFd(), 0);
            return;
          case 29:
            check(t);
            i++;
            pc = 26;
            continue;
          case 30: // a release_work never queued: its kworker ends
            i = 0;
            pc = 80;
            continue;
          case 80: {
            if (i >= run.vgpus.size()) {
              i = 0;
              pc = 31; // tell each GPU this VM is gone
              continue;
            }
            Kvmgt kv = run.vgpus.get(i).kvmgt();
            i++;
            if (!kv.flushReleaseWork(t)) {
              return;
            }
            continue;
          }
          // ---- qemu-crash: close_files() closes the fds in fd order: the group fd (opened before
          // the device fd: container_users -1, the group stays attached), the device fd (kvmgt
          // release: gvt_cache_destroy unpins; vfio_lock_acct finds no mm: -ESRCH), then the VM's
          // last reference goes (kvmgt held one until its release): kvm_destroy_vm → the kvm-vfio
          // device drops the last container user → type1 detach_group frees every mapping
          case 60:
            closeStep = 0;
            i = 0;
            pc = 61;
            continue;
          case 61: // per step, every vGPU's group
            if (closeStep >= CRASH_CLOSE.length) {
              pc = 30;
              continue;
            }
            if (i >= run.vgpus.size()) {
              closeStep++;
              i = 0;
              continue;
            }
            pc = 62;
            t.send(run.vgpus.get(i).group(), CRASH_CLOSE[closeStep], 0);
            return;
          case 62:
            check(t);
            i++;
            pc = 61;
            continue;
          // ---- release-race: KVM_DEV_VFIO_GROUP_DEL while the device is open (SET_KVM(NULL):
          // kvmgt queues release_work on its kworker), then UNMAP_DMA of guest RAM delay-us later
          case 70:
            run.groupDelAt = t.now;
            i = 0;
            pc = 71;
            continue;
          case 71:
            if (i >= run.vgpus.size()) {
              pc = 73;
              long delay = Math.round(f.faults.raceDelayUs() * f.cpuGhz * 1000);
              if (delay > 0 && !t.sleep(delay)) {
                return;
              }
              continue;
            }
            if (run.kworkers[i] == null) { // not in the release-race fault
              i++;
              continue;
            }
            groupDeleted[i] = true;
            pc = 72;
            t.send(run.vgpus.get(i).group(), new VfioGroup.KvmGroupDel(), 0);
            return;
          case 72:
            check(t);
            i++;
            pc = 71;
            continue;
          case 73:
            run.raceUnmapAt = t.now;
            raceOrder = true;
            pc = 23;
            continue;
          case 31: {
            List<Gvt> gvts = gvtsOf();
            if (i >= gvts.size()) {
              run.shutdownEnd = t.now;
              t.ret(0);
              return;
            }
            pc = 32;
            t.send(gvts.get(i), new Gvt.VmGone(), 0);
            return;
          }
          case 32:
            i++;
            pc = 31;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    /**
     * QEMU calls into the host's VFIO core again only at shutdown (or when it crashes); before
     * v5.7 also at the next churn: an UNMAP over kvmgt's pins runs kvmgt's notifier on this
     * thread, and it unpins through vfio_unpin_pages(dev), a group lookup under vfio.group_lock.
     */
    private void promiseHorizon(SimThread t) {
      long h = run.guestEnd;
      if (!f.k.gen.hasGroupApi()) {
        h = Math.min(h, nextChurn);
      }
      if (h > t.now) {
        t.noCrossDomainBefore(h);
      }
    }

    private List<Gvt> gvtsOf() {
      List<Gvt> out = new ArrayList<>();
      for (KernelModel.Vgpu v : run.vgpus) {
        if (!out.contains(v.gpu().gvt())) {
          out.add(v.gpu().gvt());
        }
      }
      return out;
    }

    private long churnCycles() {
      return Math.max(2, Math.round(f.p.churnIntervalMs() * f.cpuGhz * 1_000_000));
    }

    private void check(SimThread t) {
      if (t.retval != 0) {
        run.errors++;
      }
    }

    @Override
    public String function() {
      return "qemu";
    }
  }
}
