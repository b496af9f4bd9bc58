package org.vfiosim.actors;

import java.nio.file.Path;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.kernel.Costs;
import org.vfiosim.kernel.Generation;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimThread;

/**
 * A synchronous harness for simulated actors (what BehaviorTestKit is for Akka behaviours): one
 * host with {@code vms} VMs, one vGPU each on gpu0, a QEMU thread per VM and a GVT kernel thread
 * per vGPU; {@link #call} sends one message at the current virtual time and runs to quiescence.
 */
final class Harness {
  static final Costs COSTS = new Costs(ConfigLoader.loadCosts(Path.of("."), null));

  final KernelModel k;
  final KernelModel.Vm[] vm;
  final KernelModel.Vgpu[] vgpu;
  final SimThread[] qemu;
  final SimThread[] gvt;
  long now;
  long lastCycles;

  Harness(Generation gen, int vms) {
    this(gen, vms, COSTS);
  }

  Harness(Generation gen, int vms, Costs costs) {
    this(gen, vms, costs, false);
  }

  /** With {@code secondVgpu}, VM 1 also gets a vGPU "v2b" on the same GPU ({@link #extra}). */
  Harness(Generation gen, int vms, Costs costs, boolean secondVgpu) {
    this(gen, vms, costs, secondVgpu, KernelModel.Variants.NONE, KernelModel.VmSpec.defaults(1L << 30), 0);
  }

  /**
   * With the what-if {@code variants} ({@code vfiosim.variants}); every VM built from {@code spec};
   * {@code traceLimit > 0} records lock holds and waits ({@link #trace()}).
   */
  Harness(Generation gen, int vms, Costs costs, boolean secondVgpu, KernelModel.Variants variants,
      KernelModel.VmSpec spec, int traceLimit) {
    k = new KernelModel(costs, gen, variants);
    Domain world = k.model.domain("world");
    KernelModel.Gpu gpu = k.addGpu("gpu0", world);
    vm = new KernelModel.Vm[vms];
    vgpu = new KernelModel.Vgpu[vms];
    qemu = new SimThread[vms];
    gvt = new SimThread[vms];
    for (int i = 0; i < vms; i++) {
      vm[i] = k.addVm("vm" + (i + 1), world, spec);
      vgpu[i] = k.addVgpu("v" + (i + 1), vm[i], gpu, 1, true);
      qemu[i] = k.model.idleThread("vm" + (i + 1) + "/qemu", world);
      qemu[i].attachment = new Task("vm" + (i + 1) + "/qemu", vm[i].mm());
      gvt[i] = k.model.idleThread("v" + (i + 1) + "/gvt", world);
      gvt[i].attachment = Task.kthread("v" + (i + 1) + "/gvt");
    }
    extra = secondVgpu ? k.addVgpu("v2b", vm[0], gpu, 1, true) : null;
    k.model.layout(1);
    if (traceLimit > 0) {
      k.model.shards()[0].enableTrace(traceLimit);
    }
    for (int i = 0; i < vms; i++) {
      k.createAndAttach(vgpu[i]);
    }
    if (extra != null) {
      k.createAndAttach(extra);
    }
  }

  final KernelModel.Vgpu extra;

  /** Sends {@code msg} to {@code a} from {@code t} now, runs to quiescence, returns the reply. */
  <M> long call(SimThread t, SimActor<M> a, M msg) {
    long[] out = new long[2];
    t.start(new Frame() {
      @Override
      protected void run(SimThread th) {
        if (pc == 0) {
          pc = 1;
          th.send(a, msg, 0);
          return;
        }
        out[0] = th.retval;
        out[1] = th.now;
        th.ret(0);
      }
    }, now);
    k.model.shards()[0].runUntil(Long.MAX_VALUE);
    if (!t.isDone()) {
      throw new AssertionError(t.name + " did not return");
    }
    lastCycles = out[1] - now;
    now = out[1];
    return out[0];
  }

  /** One call of {@link #calls}: {@code msg} to {@code actor} from {@code thread}, {@code at} cycles after now. */
  record Start<M>(SimThread thread, SimActor<M> actor, M msg, long at) {}

  /**
   * Starts every call at its time, runs to quiescence, and returns their replies in order; {@link
   * #now} moves to the last return.
   */
  long[] calls(Start<?>... starts) {
    callsStart = now;
    long[] out = new long[starts.length];
    long end = now;
    long[] ends = new long[starts.length];
    for (int i = 0; i < starts.length; i++) {
      start(starts[i], out, ends, i);
    }
    k.model.shards()[0].runUntil(Long.MAX_VALUE);
    for (int i = 0; i < starts.length; i++) {
      if (!starts[i].thread().isDone()) {
        throw new AssertionError(starts[i].thread().name + " did not return");
      }
      end = Math.max(end, ends[i]);
    }
    now = end;
    return out;
  }

  private <M> void start(Start<M> s, long[] out, long[] ends, int i) {
    s.thread().start(new Frame() {
      @Override
      protected void run(SimThread th) {
        if (pc == 0) {
          pc = 1;
          th.send(s.actor(), s.msg(), 0);
          return;
        }
        out[i] = th.retval;
        ends[i] = th.now;
        th.ret(0);
      }
    }, now + s.at());
  }

  /** When the last {@link #calls} started. */
  long callsStart;

  /** The recorded spans (with a trace limit), in start order. */
  java.util.List<org.vfiosim.sim.TraceEvent> trace() {
    return org.vfiosim.sim.TraceBuffer.merge(k.model, null);
  }

  /** MAP_DMA of guest RAM [0, size) on VM i, and open of its vGPU. */
  Harness mapAndOpen(int i, long size) {
    check(call(qemu[i], vm[i].container(), new Container.MapDma(0, size, 0x7f0000000000L, 3)));
    check(call(qemu[i], vgpu[i].group(), new VfioGroup.OpenDevice()));
    return this;
  }

  private static void check(long r) {
    if (r != 0) {
      throw new AssertionError("setup call returned " + r);
    }
  }

  /** Acquisitions (read + write) of the lock instance {@code cls owner}. */
  long acq(String cls, String owner) {
    SimLock l = k.model.lock(cls, owner);
    if (l == null) {
      throw new AssertionError("no lock " + cls + " " + owner);
    }
    return l.writeStats().acquisitions() + (l.readStats() == null ? 0 : l.readStats().acquisitions());
  }

  void resetLockStats() {
    for (SimLock l : k.model.locks()) {
      l.resetStats();
    }
  }
}
