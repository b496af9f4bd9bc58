package org.vfiosim.actors;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.vfiosim.kernel.DmaAddrAllocator;
import org.vfiosim.kernel.KernelConstants;
import org.vfiosim.sim.AtomicVar;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.FramePool;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimSemaphore;
import org.vfiosim.sim.SimThread;

/**
 * One physical GPU's GVT device ({@code struct intel_gvt}): {@code &gvt->lock},
 * {@code &gvt->sched_lock} (global across the VMs on this GPU), the host IOMMU addresses handed
 * out by {@code dma_map_page} for the i915 device, the list of its vGPUs, and the workload
 * scheduler (scheduler.c, sched_policy.c): per-vGPU per-engine workload queues, one workload
 * thread per engine, the service thread that runs the time-based scheduler (tbs) on every 1 ms
 * timer tick and every kick, and the current / next vGPU it picks.
 *
 * <p>Not modelled: vblank emulation on the service thread, the workload prescan at submission,
 * per-type weights (every vGPU has the same weight), and the tbs counters being static across
 * GVT devices (each GPU here keeps its own).
 */
public final class Gvt extends SimActor<Gvt.Msg> {
  /** GVT_DEFAULT_TIME_SLICE: the scheduler timer's period. */
  static final long TIME_SLICE_NS = 1_000_000;
  /** GVT_TS_BALANCE_PERIOD_MS: time slices are rebalanced every 100 ms, in 10 stages. */
  static final long BALANCE_PERIOD_NS = 100_000_000;
  static final int BALANCE_STAGES = 10;
  /** GVT_SCHED_VGPU_PRI_TIME: a vGPU has priority for 2 s after it starts being scheduled. */
  static final long PRI_TIME_NS = 2_000_000_000L;
  /** INTEL_GVT_REQUEST_SCHED (the timer) and INTEL_GVT_REQUEST_EVENT_SCHED (a kick). */
  static final int REQUEST_SCHED = 1;
  static final int REQUEST_EVENT_SCHED = 2;

  /** Protocol. */
  public sealed interface Msg permits VgpuExist, Submit, StartSchedule, StopSchedule, VmGone {}

  /** {@code __kvmgt_vgpu_exist(vgpu, kvm)}: 1 when another active vGPU of this GPU is bound to the caller's KVM. */
  public record VgpuExist(Kvmgt asking) implements Msg {}

  /**
   * The guest submits a workload: its ELSP write, emulated under {@code &vgpu->vgpu_lock}
   * (intel_vgpu_submit_execlist → intel_vgpu_queue_workload: queue, kick the scheduler, wake the
   * engine's workload thread).
   */
  public record Submit(GvtWorkload w) implements Msg {}

  /**
   * The guest enables execlists (ring_mode_mmio_write under vgpu_lock → intel_vgpu_start_schedule).
   * {@code startedAgo > 0} stands for a guest that did so that many cycles before the simulated
   * interval (its start-up priority may have expired; it holds a fair time slice).
   */
  public record StartSchedule(Kvmgt vgpu, long startedAgo) implements Msg {}

  /** intel_vgpu_stop_schedule, from intel_gvt_deactivate_vgpu: the caller holds {@code vgpu_lock}. */
  public record StopSchedule(Kvmgt vgpu) implements Msg {}

  /** A VM using this GPU has shut down; the scheduler's threads end once no VM is left. */
  public record VmGone() implements Msg {}

  private final KernelModel k;
  final String gpu;
  final SimMutex gvtLock;
  /** {@code &gvt->sched_lock}: the scheduler's state, pick and completion of every workload. */
  public final SimMutex schedLock;
  /** Host IOMMU addresses of the i915 device. */
  final DmaAddrAllocator dmaAddrs = new DmaAddrAllocator();
  /** A kref's cache line (gvt_dma.ref updates under cache_lock). */
  final AtomicVar krefLine;
  final List<Kvmgt> vgpus = new ArrayList<>();

  /**
   * Where the workloads' time went, summed over the workloads completed on this GPU: queued
   * (submission to pick), dispatch (vgpu_lock wait, scan and populate_shadow_context), on the GPU,
   * completion (the wait for vgpu_lock and sched_lock, update_guest_context).
   */
  public long queuedCycles;
  public long dispatchCycles;
  public long execCycles;
  public long completeCycles;
  /** vGPU switches (try_to_schedule_next_vgpu that changed current_vgpu) and scheduler runs. */
  public long switches;
  public long scheduleRuns;

  // ---- scheduler state (struct intel_gvt_workload_scheduler + gvt_sched_data), under sched_lock
  private SimSemaphore[] waitq = new SimSemaphore[0];
  private GvtWorkload[] currentWorkload = new GvtWorkload[0];
  /** Per engine: the workload on the GPU and when it comes off; whether the current one already ran. */
  private GvtWorkload[] executing = new GvtWorkload[0];
  private long[] execEnd = new long[0];
  private boolean[] executedAlready = new boolean[0];
  /** lru_runq_head: the active vGPUs, least recently scheduled first. */
  private final List<VgpuSched> runq = new ArrayList<>();
  private VgpuSched current;
  private VgpuSched next;
  private boolean needReschedule;
  /** gvt->service_request bits, and the service thread's wait queue. */
  private int requests;
  private SimSemaphore serviceWq;
  /** scheduler->workload_complete_wq: woken at every completion (intel_gvt_wait_vgpu_idle waits on it). */
  private SimSemaphore workloadCompleteWq;
  /** The tbs hrtimer: started by the first start_schedule. */
  private boolean timerActive;
  private SimSemaphore timerStart;
  private long expireTime;
  private long stageCheck;
  private long periodCycles;
  private long balanceCycles;
  private long priCycles;
  private int liveVms;
  /** gvt->idle_vgpu: scheduled when no vGPU has work. */
  private final VgpuSched idle = new VgpuSched(0);

  /** struct vgpu_sched_data, plus the vGPU's workload queues (one per engine). */
  static final class VgpuSched {
    final ArrayDeque<GvtWorkload>[] queues;
    boolean active;
    boolean priSched;
    long priTime;
    long schedIn;
    long leftTs;
    long allocatedTs;

    @SuppressWarnings("unchecked")
    VgpuSched(int engines) {
      this.queues = new ArrayDeque[engines];
      for (int e = 0; e < engines; e++) {
        queues[e] = new ArrayDeque<>();
      }
    }

    boolean hasPendingWorkload() {
      for (ArrayDeque<GvtWorkload> q : queues) {
        if (!q.isEmpty()) {
          return true;
        }
      }
      return false;
    }
  }

  Gvt(KernelModel k, String gpu, Domain d) {
    super(gpu + "/gvt");
    this.k = k;
    this.gpu = gpu;
    this.gvtLock = k.model.mutex(k.gvtLock, gpu, d);
    this.schedLock = k.model.mutex(k.schedLock, gpu, d);
    this.krefLine = k.model.atomic(gpu + ":gvt_dma.ref", k.costs.atomicRmw, k.costs.atomicBounce, 0);
  }

  /**
   * Starts the scheduler for {@code vms} VMs that use this GPU: one workload thread per engine,
   * the service thread and the tbs timer (threads supplied by the scenario); {@code cyclesPerNs}
   * turns the kernel's time constants into virtual time.
   */
  public void startScheduler(SimThread[] engines, SimThread service, SimThread timer, int vms, double cyclesPerNs) {
    waitq = new SimSemaphore[engines.length];
    currentWorkload = new GvtWorkload[engines.length];
    executing = new GvtWorkload[engines.length];
    execEnd = new long[engines.length];
    executedAlready = new boolean[engines.length];
    for (int e = 0; e < engines.length; e++) {
      waitq[e] = new SimSemaphore(gpu + ":waitq" + e, 0, 1);
      engines[e].start(new WorkloadThread(e), 0);
    }
    serviceWq = new SimSemaphore(gpu + ":service_thread_wq", 0, 1);
    workloadCompleteWq = new SimSemaphore(gpu + ":workload_complete_wq", 0, 0);
    timerStart = new SimSemaphore(gpu + ":tbs_timer", 0, 1);
    periodCycles = Math.max(1, Math.round(TIME_SLICE_NS * cyclesPerNs));
    balanceCycles = Math.max(1, Math.round(BALANCE_PERIOD_NS * cyclesPerNs));
    priCycles = Math.round(PRI_TIME_NS * cyclesPerNs);
    liveVms = vms;
    service.start(new ServiceThread(), 0);
    timer.start(new TimerThread(), 0);
    // GVT's kthreads reach guest memory through kvmgt (the VM's own domain), never the host's VFIO
    // core: tell the engine, so they do not bound other domains' windows (lookahead)
    for (SimThread t : engines) {
      t.neverCrossDomain();
    }
    service.neverCrossDomain();
    timer.neverCrossDomain();
  }

  /** The wait queue woken at every workload completion on this GPU (wait for a vGPU to go idle on it). */
  public SimSemaphore workloadCompleteWq() {
    return workloadCompleteWq;
  }

  /**
   * A lower bound on when every workload {@code v} has queued or running here will have completed,
   * seen at {@code now}: each engine runs one workload at a time, so at least the GPU time still
   * ahead of them on each engine. (What lets a VM that waits for its vGPU to go idle promise the
   * engine it will not call the host before then.)
   */
  public long drainLowerBound(Kvmgt v, long now) {
    if (v.sched == null) {
      return now;
    }
    long bound = now;
    for (int e = 0; e < v.sched.queues.length; e++) {
      long ahead = 0;
      for (GvtWorkload w : v.sched.queues[e]) {
        if (w == executing[e]) {
          ahead += Math.max(0, execEnd[e] - now);
        } else if (!(w == currentWorkload[e] && executedAlready[e])) {
          ahead += w.execCycles();
        }
      }
      bound = Math.max(bound, now + ahead);
    }
    return bound;
  }

  /** The vGPU's scheduling data, created with the scheduler's engines (intel_vgpu_init_sched_policy). */
  private VgpuSched sched(Kvmgt v) {
    if (v.sched == null) {
      v.sched = new VgpuSched(waitq.length);
    }
    return v.sched;
  }

  /** Frames of workload submission (one per workload), reused (see FramePool). */
  private final FramePool<SubmitFrame> submitFrames = new FramePool<>(SubmitFrame::new);

  @Override
  protected KFrame receive(SimThread t, Msg msg) {
    if (msg instanceof Submit s) {
      return submitFrames.take().init(s.w());
    }
    if (msg instanceof StartSchedule s) {
      return new StartScheduleFrame(s.vgpu(), s.startedAgo());
    }
    if (msg instanceof StopSchedule s) {
      return new StopScheduleFrame(s.vgpu());
    }
    if (msg instanceof VmGone) {
      return new VmGoneFrame();
    }
    return new VgpuExistFrame(((VgpuExist) msg).asking());
  }

  /**
   * intel_gvt_request_service: sets the request bit and wakes the service thread if no request
   * was pending. False: the thread yielded; the wake-up happens when it resumes.
   */
  private boolean requestService(SimThread t, int bit) {
    boolean wake = requests == 0;
    requests |= bit;
    return !wake || t.up(serviceWq);
  }

  // ---------------------------------------------------------------- sched_policy.c

  /** vgpu_update_timeslice. */
  private void updateTimeslice(VgpuSched v, long now) {
    if (v == null || v == idle) {
      return;
    }
    v.leftTs -= now - v.schedIn;
    v.schedIn = now;
  }

  /** gvt_balance_timeslice: stage 0 hands out fresh slices (100 ms / weight), later stages add them. */
  private void balanceTimeslice(SimThread t) {
    int stage = (int) (stageCheck++ % BALANCE_STAGES);
    t.cost(runq.size() * k.costs.listWalkElement * (stage == 0 ? 2 : 1));
    for (VgpuSched v : runq) {
      if (stage == 0) {
        v.allocatedTs = balanceCycles / runq.size();
        v.leftTs = v.allocatedTs;
      } else {
        v.leftTs += v.allocatedTs;
      }
    }
  }

  /** find_busy_vgpu: the first vGPU in LRU order with a pending workload and priority or time left. */
  private VgpuSched findBusy(SimThread t) {
    for (VgpuSched v : runq) {
      t.cost(k.costs.listWalkElement);
      if (!v.hasPendingWorkload()) {
        continue;
      }
      if (v.priSched) {
        if (t.now < v.priTime) {
          return v;
        }
        v.priSched = false;
      }
      if (v.leftTs > 0) {
        return v;
      }
    }
    return null;
  }

  /** try_to_schedule_next_vgpu: true when current_vgpu changed (the engines' threads must be woken). */
  private boolean tryToScheduleNext(long now) {
    if (next == current) {
      next = null;
      return false;
    }
    needReschedule = true; // the workload threads stop dispatching for the current vGPU
    for (GvtWorkload w : currentWorkload) {
      if (w != null) {
        return false; // still a running workload: its completion asks for another schedule
      }
    }
    updateTimeslice(current, now);
    next.schedIn = now;
    current = next;
    next = null;
    needReschedule = false;
    switches++;
    return true;
  }

  /** intel_gvt_schedule (under sched_lock): rebalance on timer requests, then tbs_sched_func. */
  private boolean schedule(SimThread t) {
    scheduleRuns++;
    t.cost(k.costs.callEntry);
    if ((requests & REQUEST_SCHED) != 0) {
      requests &= ~REQUEST_SCHED;
      if (t.now >= expireTime) {
        balanceTimeslice(t);
        expireTime = t.now + balanceCycles;
      }
    }
    requests &= ~REQUEST_EVENT_SCHED;
    updateTimeslice(current, t.now);
    if (!runq.isEmpty() && next == null) {
      VgpuSched v = findBusy(t);
      if (v != null) {
        next = v;
        if (!v.priSched) { // move the last used vGPU to the tail of the LRU list
          runq.remove(v);
          runq.add(v);
        }
      } else {
        next = idle;
      }
    }
    return next != null && tryToScheduleNext(t.now);
  }

  /** pick_next_workload (under sched_lock): the current vGPU's first workload on this engine, if any. */
  private GvtWorkload pick(SimThread t, int ring) {
    t.cost(k.costs.listWalkElement);
    if (current == null || current == idle || needReschedule || !current.active) {
      return null;
    }
    GvtWorkload w = current.queues[ring].peekFirst();
    if (w == null) {
      return null;
    }
    currentWorkload[ring] = w;
    return w;
  }

  // ---------------------------------------------------------------- frames

  /** intel_vgpu_submit_execlist → intel_vgpu_queue_workload, under vgpu_lock. */
  private final class SubmitFrame extends KFrame {
    private GvtWorkload w;

    SubmitFrame init(GvtWorkload w) {
      this.w = w;
      return this;
    }

    @Override
    protected void recycle() {
      w = null;
      submitFrames.give(this);
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            t.cost(k.costs.callEntry);
            pc = 1;
            if (!t.lock(w.vgpu().vgpuLock, KernelModel.AT_SUBMIT_EXECLIST)) {
              return;
            }
            continue;
          case 1:
            t.cost(k.costs.kzalloc); // intel_vgpu_create_workload
            sched(w.vgpu()).queues[w.engine()].addLast(w);
            pc = 2;
            if (!t.lock(schedLock, KernelModel.AT_KICK_SCHEDULE)) { // intel_gvt_kick_schedule
              return;
            }
            continue;
          case 2:
            pc = 3;
            if (!requestService(t, REQUEST_EVENT_SCHED)) {
              return;
            }
            continue;
          case 3:
            t.unlock(schedLock);
            pc = 4;
            if (!t.up(waitq[w.engine()])) { // wake_up(&scheduler->waitq[ring])
              return;
            }
            continue;
          case 4:
            t.unlock(w.vgpu().vgpuLock);
            t.ret(0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "intel_vgpu_submit_execlist";
    }
  }

  /** ring_mode_mmio_write (execlists enabled) under vgpu_lock → intel_vgpu_start_schedule → tbs_sched_start_schedule. */
  private final class StartScheduleFrame extends KFrame {
    private final Kvmgt v;
    private final long startedAgo;

    StartScheduleFrame(Kvmgt v, long startedAgo) {
      this.v = v;
      this.startedAgo = startedAgo;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            t.cost(k.costs.callEntry);
            pc = 1;
            if (!t.lock(v.vgpuLock, KernelModel.AT_RING_MODE_WRITE)) {
              return;
            }
            continue;
          case 1:
            pc = 2;
            if (!t.lock(schedLock, KernelModel.AT_START_SCHEDULE)) {
              return;
            }
            continue;
          case 2: {
            VgpuSched s = sched(v);
            if (!s.active) {
              s.priTime = t.now - startedAgo + priCycles;
              s.priSched = true;
              if (startedAgo > 0) {
                s.allocatedTs = balanceCycles / Math.max(1, vgpus.size());
                s.leftTs = s.allocatedTs;
              }
              runq.add(0, s); // list_add: at the head
              s.active = true;
            }
            pc = 3;
            if (!timerActive) { // hrtimer_start: the first tick one period from now
              timerActive = true;
              if (!t.up(timerStart)) {
                return;
              }
            }
            continue;
          }
          case 3:
            t.unlock(schedLock);
            t.unlock(v.vgpuLock);
            t.ret(0);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "intel_vgpu_start_schedule";
    }
  }

  /** intel_vgpu_stop_schedule: nothing unless the vGPU is scheduled; else off the run queue under sched_lock. */
  private final class StopScheduleFrame extends KFrame {
    private final Kvmgt v;

    StopScheduleFrame(Kvmgt v) {
      this.v = v;
    }

    @Override
    protected void run(SimThread t) {
      switch (pc) {
        case 0:
          if (v.sched == null || !v.sched.active) {
            t.ret(0);
            return;
          }
          pc = 1;
          if (!t.lock(schedLock, KernelModel.AT_STOP_SCHEDULE)) {
            return;
          }
          // fall through
        case 1: {
          VgpuSched s = v.sched;
          runq.remove(s);
          s.active = false;
          if (next == s) {
            next = null;
          }
          if (current == s) {
            needReschedule = true; // stop workload dispatching
            current = null;
          }
          t.cost(k.costs.spinlock.acquire() + k.costs.spinlock.release()); // mmio_context_lock
          t.unlock(schedLock);
          t.ret(0);
          return;
        }
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "intel_vgpu_stop_schedule";
    }
  }

  private final class VmGoneFrame extends KFrame {
    private int e;

    @Override
    protected void run(SimThread t) {
      if (pc == 0) {
        pc = 1;
        if (--liveVms > 0) {
          e = waitq.length + 2;
        }
      }
      // the last VM: let each of the scheduler's threads see that nothing is left
      while (e <= waitq.length + 1) {
        SimSemaphore q = e < waitq.length ? waitq[e] : e == waitq.length ? serviceWq : timerStart;
        e++;
        if (!t.up(q)) {
          return;
        }
      }
      t.ret(0);
    }

    @Override
    public String function() {
      return "vm_shutdown";
    }
  }

  /**
   * tbs_timer_fn: from the first vGPU's start_schedule on, every time slice,
   * intel_gvt_request_service(INTEL_GVT_REQUEST_SCHED).
   */
  private final class TimerThread extends KFrame {
    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 2;
            if (!timerActive && liveVms > 0 && !t.down(timerStart)) {
              return;
            }
            continue;
          case 2:
            if (liveVms == 0) {
              t.ret(0);
              return;
            }
            pc = 1;
            if (!t.sleep(periodCycles)) {
              return;
            }
            continue;
          case 1:
            if (liveVms == 0) {
              t.ret(0);
              return;
            }
            pc = 2;
            if (!requestService(t, REQUEST_SCHED)) {
              return;
            }
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "tbs_timer_fn";
    }
  }

  /** gvt_service_thread: wait for a request, then intel_gvt_schedule under sched_lock. */
  private final class ServiceThread extends KFrame {
    private int e;

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            if (requests == 0 && liveVms == 0) {
              t.ret(0);
              return;
            }
            pc = 1;
            if (!t.down(serviceWq)) {
              return;
            }
            continue;
          case 1:
            if (requests == 0) {
              pc = 0;
              continue;
            }
            pc = 2;
            if (!t.lock(schedLock, KernelModel.AT_GVT_SCHEDULE)) {
              return;
            }
            continue;
          case 2:
            e = schedule(t) ? 0 : waitq.length;
            pc = 3;
            continue;
          case 3: // a switch wakes every engine's workload thread, still under sched_lock
            if (e < waitq.length) {
              if (!t.up(waitq[e++])) {
                return;
              }
              continue;
            }
            t.unlock(schedLock);
            pc = 0;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    @Override
    public String function() {
      return "gvt_service_thread";
    }
  }

  /**
   * workload_thread() (scheduler.c): pick_next_workload under &gvt->sched_lock, else sleep on the
   * engine's wait queue; dispatch_workload under &vgpu->vgpu_lock (scan: small guest reads and
   * writes; populate_shadow_context: the context pages); the GPU runs it;
   * complete_current_workload under &vgpu->vgpu_lock and &gvt->sched_lock (update_guest_context:
   * the context pages written back; a pending reschedule asks the service thread). Guest memory
   * goes through kvmgt_rw_gpa: one page per call before patch 7/7 (v5.6), one call per
   * guest-physically contiguous run after it (v5.10).
   */
  private final class WorkloadThread extends KFrame {
    private final int ring;
    private GvtWorkload w;
    private int i;
    private int page;
    /** First page of context run {@code i}: the sum of the runs before it. */
    private int runStart;
    private long phaseStart;
    private long picked;
    private long dispatched;
    private long ran;

    WorkloadThread(int ring) {
      this.ring = ring;
    }

    @Override
    protected void run(SimThread t) {
      while (true) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.lock(schedLock, KernelModel.AT_PICK_NEXT_WORKLOAD)) {
              return;
            }
            continue;
          case 1:
            w = pick(t, ring);
            t.unlock(schedLock);
            if (w != null) {
              picked = t.now;
              pc = 3;
              continue;
            }
            if (liveVms == 0) {
              t.ret(0); // every VM is gone: the thread ends
              return;
            }
            pc = 0;
            if (!t.down(waitq[ring])) { // wait_woken
              return;
            }
            continue;
          case 3:
            i = 0;
            pc = 4;
            if (!t.lock(w.vgpu().vgpuLock, KernelModel.AT_DISPATCH_WORKLOAD)) {
              return;
            }
            continue;
          case 4: // intel_gvt_scan_and_shadow_workload: the command scan's guest reads/writes
            if (i >= w.rwGpa().length) {
              phaseStart = t.now;
              i = 0;
              page = 0;
              runStart = 0;
              pc = 6;
              continue;
            }
            pc = 5;
            t.send(w.vgpu(), new Kvmgt.RwGpa(w.rwGpa()[i], w.rwLen()[i], w.rwWrite()[i]), 0);
            return;
          case 5:
            i++;
            pc = 4;
            continue;
          case 6: // populate_shadow_context: read the guest context pages
            if (contextDone()) {
              t.shard().op(k.opPopulateShadowContext).record(t.now - phaseStart, w.ctxPages(), false);
              t.unlock(w.vgpu().vgpuLock);
              dispatched = t.now;
              executing[ring] = w;
              execEnd[ring] = t.now + w.execCycles();
              pc = 8;
              if (!t.sleep(w.execCycles())) { // the GPU runs the workload
                return;
              }
              continue;
            }
            pc = 7;
            t.send(w.vgpu(), contextRw(false), 0);
            return;
          case 7:
            advanceContext();
            pc = 6;
            continue;
          case 8: // complete_current_workload
            ran = t.now;
            executing[ring] = null;
            executedAlready[ring] = true;
            pc = 9;
            if (!t.lock(w.vgpu().vgpuLock, KernelModel.AT_COMPLETE_WORKLOAD)) {
              return;
            }
            continue;
          case 9:
            pc = 10;
            if (!t.lock(schedLock, KernelModel.AT_COMPLETE_WORKLOAD)) {
              return;
            }
            continue;
          case 10: // update_guest_context: write the context pages back
            phaseStart = t.now;
            i = 0;
            page = 0;
            runStart = 0;
            pc = 11;
            continue;
          case 11:
            if (contextDone()) {
              t.shard().op(k.opUpdateGuestContext).record(t.now - phaseStart, w.ctxPages(), false);
              VgpuSched s = w.vgpu().sched;
              currentWorkload[ring] = null;
              executedAlready[ring] = false;
              s.queues[ring].pollFirst(); // list_del_init(&workload->list)
              // the workload is complete (its context written back): account for it here
              t.shard().op(k.opGvtWorkload).record(t.now - w.submitted(), 0, false);
              queuedCycles += picked - w.submitted();
              dispatchCycles += dispatched - picked;
              execCycles += ran - dispatched;
              completeCycles += t.now - ran;
              w.vgpu().workloadDone(t.now - w.submitted());
              pc = 14;
              if (!t.wakeAll(workloadCompleteWq)) {
                return;
              }
              continue;
            }
            pc = 12;
            t.send(w.vgpu(), contextRw(true), 0);
            return;
          case 12:
            advanceContext();
            pc = 11;
            continue;
          case 14:
            pc = 13;
            if (needReschedule && !requestService(t, REQUEST_EVENT_SCHED)) {
              return;
            }
            continue;
          case 13:
            t.unlock(schedLock);
            t.unlock(w.vgpu().vgpuLock);
            w = null;
            pc = 0;
            continue;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }

    // Context pages are read/written run by run (v5.10: one call per run) or page by page (v5.6).
    private boolean contextDone() {
      return i >= w.ctxRuns().length;
    }

    private Kvmgt.RwGpa contextRw(boolean write) {
      long gpa = w.ctxGpa() + ((long) runStart + page) * KernelConstants.PAGE_SIZE;
      int pages = k.gen.multiPageShadowContext() ? w.ctxRuns()[i] : 1;
      return new Kvmgt.RwGpa(gpa, (long) pages * KernelConstants.PAGE_SIZE, write);
    }

    private void advanceContext() {
      if (k.gen.multiPageShadowContext() || ++page >= w.ctxRuns()[i]) {
        runStart += w.ctxRuns()[i];
        i++;
        page = 0;
      }
    }

    @Override
    public String function() {
      return "workload_thread";
    }
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
