package org.vfiosim.script;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.vfiosim.actors.Container;
import org.vfiosim.actors.KernelModel;
import org.vfiosim.actors.Kvmgt;
import org.vfiosim.actors.Task;
import org.vfiosim.actors.VfioGroup;
import org.vfiosim.kernel.Costs;
import org.vfiosim.kernel.DmaAddrAllocator;
import org.vfiosim.kernel.Errno;
import org.vfiosim.kernel.GuestBacking;
import org.vfiosim.kernel.GvtCache;
import org.vfiosim.kernel.MmState;
import org.vfiosim.run.EndChecks;
import org.vfiosim.run.Finding;
import org.vfiosim.run.Invariant;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimLock;
import org.vfiosim.sim.SimThread;

/**
 * Runs a parsed op script ({@code vfiosim replay}) against the simulated stack, one statement at a
 * time in virtual time, and prints what the contract says ({@code script-format.md}): one line per
 * entry point and assertion, then {@code N passed, N failed}. The invariants of design §6 are
 * checked at the end; a violation is a failure.
 *
 * <p>Who calls: QEMU ioctls ({@code VFIO_IOMMU_MAP_DMA}, {@code VFIO_IOMMU_UNMAP_DMA}, {@code
 * VFIO_GROUP_UNSET_CONTAINER}, {@code intel_vgpu_open/release}) run on the VM's QEMU thread, the
 * vendor-driver calls (pins, {@code vfio_dma_rw} from a kernel thread, the external user, {@code
 * kvmgt_*}) on the vGPU's GVT kernel thread; {@code vfio_dma_rw ctx=VM} on that VM's QEMU thread.
 * A {@code parallel} block gives each of its statements its own thread. Setup statements change
 * state directly: they take no simulated lock and no virtual time.
 */
public final class ScriptRunner {

  /** What a replay printed and how it ended. */
  public record Result(List<String> lines, int passed, int failed, List<String> violations, List<Finding> findings,
      List<Timed> timed) {
    /** 0 when nothing failed, 1 otherwise. */
    public int exitStatus() {
      return failed == 0 ? 0 : 1;
    }
  }

  /** One entry-point statement that ran: its line, return value and the virtual cycles it took. */
  public record Timed(int line, long ret, long cycles) {}

  private enum Kind { QEMU, KTHREAD }

  private record ThreadKey(Kind kind, String owner) {}

  private final Script script;
  private final boolean timing;
  private final KernelModel k;
  private final Map<String, KernelModel.Vm> vms = new LinkedHashMap<>();
  private final Map<String, KernelModel.Vgpu> vgpus = new LinkedHashMap<>();
  private final Map<ThreadKey, List<SimThread>> threads = new HashMap<>();
  private final List<String> out = new ArrayList<>();
  private final List<Timed> timed = new ArrayList<>();
  private int passed;
  private int failed;
  private long now;
  private boolean stopped;

  private ScriptRunner(Script script, Costs costs, boolean timing) {
    this.script = script;
    this.timing = timing;
    this.k = new KernelModel(costs, script.generation());
  }

  /** Runs {@code script} with cost model {@code costs}; {@code timing} appends each call's cycles. */
  public static Result run(Script script, Costs costs, boolean timing) {
    return runKeeping(script, costs, timing).result;
  }

  /** A finished replay and the simulated stack it ran on (for callers that inspect the state). */
  public record Replayed(Result result, KernelModel model) {}

  /** Runs {@code script} like {@link #run} and keeps the simulated stack for inspection. */
  public static Replayed runKeeping(Script script, Costs costs, boolean timing) {
    ScriptRunner r = new ScriptRunner(script, costs, timing);
    r.build();
    r.execute();
    return new Replayed(r.finish(), r.k);
  }

  // ---------------------------------------------------------------- building

  private void build() {
    Domain world = k.model.domain("world");
    KernelModel.Gpu gpu = k.addGpu("gpu0", world);
    for (Setup.Vm v : script.vms().values()) {
      long memlock = v.memlockUnlimited() ? MmState.RLIM_INFINITY : v.memlockPages();
      KernelModel.VmSpec spec = new KernelModel.VmSpec(v.mem(), memlock, v.capIpcLock(),
          v.iommu() == Setup.IommuType.TYPE1V2, v.iommuBacked(),
          v.backing() == Setup.Backing.SCATTERED ? GuestBacking.Layout.SCATTERED : GuestBacking.Layout.CONTIGUOUS,
          (int) Math.min(Integer.MAX_VALUE, v.dmaEntryLimit()));
      vms.put(v.name(), k.addVm(v.name(), world, spec));
    }
    for (Setup.Vgpu v : script.vgpus().values()) {
      vgpus.put(v.name(), k.addVgpu(v.name(), vms.get(v.vm()), gpu, v.devices(),
          v.notifier() == Setup.Notifier.OK));
    }
    // Threads: one per (kind, owner), more where a parallel block uses the same one twice.
    Map<ThreadKey, Integer> need = new LinkedHashMap<>();
    for (Stmt s : script.statements()) {
      if (s instanceof Parallel p) {
        Map<ThreadKey, Integer> inBlock = new HashMap<>();
        for (Step st : p.body()) {
          ThreadKey key = st instanceof Call c ? keyOf(c) : null;
          if (key != null) {
            inBlock.merge(key, 1, Integer::sum);
          }
        }
        inBlock.forEach((key, n) -> need.merge(key, n, Math::max));
      } else if (s instanceof Call c) {
        ThreadKey key = keyOf(c);
        if (key != null) {
          need.merge(key, 1, Math::max);
        }
      }
    }
    need.forEach((key, n) -> {
      List<SimThread> list = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String name = key.owner() + (key.kind() == Kind.QEMU ? "/qemu" : "/gvt") + (i == 0 ? "" : "#" + (i + 1));
        SimThread t = k.model.idleThread(name, world);
        t.attachment = key.kind() == Kind.QEMU ? new Task(name, vms.get(key.owner()).mm()) : Task.kthread(name);
        list.add(t);
      }
      threads.put(key, list);
    });
    k.model.layout(1);
  }

  /** The thread kind and owner a call runs on, or null for the ones that need none. */
  private ThreadKey keyOf(Call c) {
    if (c instanceof Call.MapDma m) {
      return new ThreadKey(Kind.QEMU, m.vm());
    }
    if (c instanceof Call.UnmapDma m) {
      return new ThreadKey(Kind.QEMU, m.vm());
    }
    if (c instanceof Call.UnsetContainer m) {
      return new ThreadKey(Kind.QEMU, script.vgpus().get(m.vgpu()).vm());
    }
    if (c instanceof Call.VgpuOpen m) {
      return new ThreadKey(Kind.QEMU, script.vgpus().get(m.vgpu()).vm());
    }
    if (c instanceof Call.VgpuRelease m) {
      return new ThreadKey(Kind.QEMU, script.vgpus().get(m.vgpu()).vm());
    }
    if (c instanceof Call.DmaRw m) {
      return m.caller() instanceof Call.VmThread vt ? new ThreadKey(Kind.QEMU, vt.vm())
          : new ThreadKey(Kind.KTHREAD, m.vgpu());
    }
    if (c instanceof Call.QemuExit || c instanceof Call.ResetCounters) {
      return null;
    }
    return new ThreadKey(Kind.KTHREAD, vgpuOf(c));
  }

  private static String vgpuOf(Call c) {
    if (c instanceof Call.PinPages m) {
      return m.vgpu();
    }
    if (c instanceof Call.UnpinPages m) {
      return m.vgpu();
    }
    if (c instanceof Call.GroupPinPages m) {
      return m.vgpu();
    }
    if (c instanceof Call.GroupUnpinPages m) {
      return m.vgpu();
    }
    if (c instanceof Call.GetExternalUser m) {
      return m.vgpu();
    }
    if (c instanceof Call.PutExternalUser m) {
      return m.vgpu();
    }
    if (c instanceof Call.KvmgtDmaMap m) {
      return m.vgpu();
    }
    if (c instanceof Call.KvmgtDmaUnmap m) {
      return m.vgpu();
    }
    if (c instanceof Call.KvmgtRwGpa m) {
      return m.vgpu();
    }
    throw new IllegalArgumentException("no vGPU in " + c);
  }

  // ---------------------------------------------------------------- running

  /** One call under way: its frame, its thread, and what it printed. */
  private final class Pending {
    final Call call;
    final Invoke frame;
    final SimThread thread;
    final long start;
    String line;

    Pending(Call call, Invoke frame, SimThread thread, long start) {
      this.call = call;
      this.frame = frame;
      this.thread = thread;
      this.start = start;
    }
  }

  /** Sends one message to an actor and keeps what came back. */
  private static final class Invoke extends Frame {
    private final Supplier<Object[]> request;
    long result;
    long end;
    boolean done;

    Invoke(Supplier<Object[]> request) {
      this.request = request;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected void run(SimThread t) {
      switch (pc) {
        case 0: {
          Object[] r = request.get(); // resolved at the call's own virtual time
          pc = 1;
          t.send((SimActor) r[0], r[1], 0);
          return;
        }
        case 1:
          result = t.retval;
          end = t.now;
          done = true;
          t.ret(0);
          return;
        default:
          throw new IllegalStateException("pc " + pc);
      }
    }

    @Override
    public String function() {
      return "script";
    }
  }

  private void execute() {
    for (Stmt s : script.statements()) {
      if (stopped) {
        return;
      }
      if (s instanceof Setup.Mmio m) {
        vms.get(m.vm()).mm().state.backing().addMmio(m.vaddr(), m.size());
      } else if (s instanceof Setup.Vgpu v) {
        k.createAndAttach(vgpus.get(v.name()));
      } else if (s instanceof Setup) {
        continue; // vm and param: applied when the stack was built
      } else if (s instanceof Parallel p) {
        runBlock(p.body());
      } else {
        runBlock(List.of((Step) s));
      }
    }
  }

  /** Starts every call of the block at the same virtual time, runs to quiescence, prints in line order. */
  private void runBlock(List<Step> steps) {
    Map<ThreadKey, Integer> used = new HashMap<>();
    List<Object> items = new ArrayList<>();
    for (Step st : steps) {
      if (st instanceof Call c) {
        items.add(start(c, used));
      } else {
        items.add(st);
      }
    }
    k.model.shards()[0].runUntil(Long.MAX_VALUE);
    long end = now;
    for (Object o : items) {
      if (o instanceof Pending p && p.frame != null) {
        if (p.frame.done) {
          end = Math.max(end, p.frame.end);
        }
      }
    }
    for (Object o : items) {
      if (o instanceof Assert a) {
        check(a);
      } else {
        finishCall((Pending) o);
      }
    }
    now = end;
  }

  private Pending start(Call c, Map<ThreadKey, Integer> used) {
    ThreadKey key = keyOf(c);
    if (key == null) {
      Pending p = new Pending(c, null, null, now);
      p.line = immediate(c);
      return p;
    }
    if (touchesCrashedContainer(c)) {
      Pending p = new Pending(c, null, null, now);
      p.line = "BUG";
      return p;
    }
    int i = used.merge(key, 1, Integer::sum) - 1;
    SimThread t = threads.get(key).get(i);
    Invoke f = new Invoke(() -> request(c));
    t.start(f, now);
    return new Pending(c, f, t, now);
  }

  /** qemu_exit and reset_counters act at once, with no simulated thread. */
  private String immediate(Call c) {
    if (c instanceof Call.QemuExit q) {
      vms.get(q.vm()).mm().exit();
      return "0";
    }
    for (SimLock l : k.model.locks()) {
      l.resetStats();
    }
    for (KernelModel.Vm vm : vms.values()) {
      vm.mm().state.resetCounters();
      vm.container().resetCounters();
    }
    return "0";
  }

  private boolean touchesCrashedContainer(Call c) {
    Container target = null;
    if (c instanceof Call.MapDma m) {
      target = vms.get(m.vm()).container();
    } else if (c instanceof Call.UnmapDma m) {
      target = vms.get(m.vm()).container();
    } else {
      String vg = c instanceof Call.UnsetContainer u ? u.vgpu() : c instanceof Call.VgpuOpen o ? o.vgpu()
          : c instanceof Call.VgpuRelease r ? r.vgpu() : c instanceof Call.DmaRw d ? d.vgpu() : vgpuOf(c);
      Container gc = vgpus.get(vg).group().container();
      target = gc != null ? gc : vgpus.get(vg).vm().container();
    }
    return target.crashed();
  }

  /** The actor and message a call sends (evaluated when the call starts). */
  private Object[] request(Call c) {
    if (c instanceof Call.MapDma m) {
      return new Object[] {vms.get(m.vm()).container(), new Container.MapDma(m.iova(), m.size(), m.vaddr(), m.flags())};
    }
    if (c instanceof Call.UnmapDma m) {
      return new Object[] {vms.get(m.vm()).container(), new Container.UnmapDma(m.iova(), m.size())};
    }
    if (c instanceof Call.UnsetContainer m) {
      return new Object[] {group(m.vgpu()), new VfioGroup.UnsetContainer()};
    }
    if (c instanceof Call.VgpuOpen m) {
      return new Object[] {group(m.vgpu()), new VfioGroup.OpenDevice()};
    }
    if (c instanceof Call.VgpuRelease m) {
      return new Object[] {group(m.vgpu()), new VfioGroup.ReleaseDevice()};
    }
    if (c instanceof Call.PinPages m) {
      long[] pfns = m.pfns().toArray();
      return new Object[] {group(m.vgpu()),
          new VfioGroup.PinPages(pfns, pfns.length, m.prot(), new long[pfns.length], false)};
    }
    if (c instanceof Call.UnpinPages m) {
      long[] pfns = m.pfns().toArray();
      return new Object[] {group(m.vgpu()), new VfioGroup.UnpinPages(pfns, pfns.length, false)};
    }
    if (c instanceof Call.GroupPinPages m) {
      long[] pfns = m.pfns().toArray();
      return new Object[] {group(m.vgpu()),
          new VfioGroup.GroupPinPages(pfns, pfns.length, m.prot(), new long[pfns.length], false)};
    }
    if (c instanceof Call.GroupUnpinPages m) {
      long[] pfns = m.pfns().toArray();
      return new Object[] {group(m.vgpu()), new VfioGroup.GroupUnpinPages(pfns, pfns.length, false)};
    }
    if (c instanceof Call.GetExternalUser m) {
      return new Object[] {group(m.vgpu()), new VfioGroup.GetExternalUser(false)};
    }
    if (c instanceof Call.PutExternalUser m) {
      return new Object[] {group(m.vgpu()), new VfioGroup.PutExternalUser(false)};
    }
    if (c instanceof Call.DmaRw m) {
      return new Object[] {group(m.vgpu()), new VfioGroup.DmaRw(m.iova(), m.len(), m.direction().isWrite())};
    }
    if (c instanceof Call.KvmgtDmaMap m) {
      return new Object[] {kvmgt(m.vgpu()), new Kvmgt.DmaMapGuestPage(m.gfn(), m.size())};
    }
    if (c instanceof Call.KvmgtDmaUnmap m) {
      GvtCache.GvtDma e = kvmgt(m.vgpu()).cache.findGfn(m.gfn());
      // by the dma_addr of G's entry; with no entry, by an address that is in no entry
      long addr = e != null ? e.dmaAddr() : DmaAddrAllocator.BASE - org.vfiosim.kernel.KernelConstants.PAGE_SIZE;
      return new Object[] {kvmgt(m.vgpu()), new Kvmgt.DmaUnmapGuestPage(addr)};
    }
    if (c instanceof Call.KvmgtRwGpa m) {
      return new Object[] {kvmgt(m.vgpu()), new Kvmgt.RwGpa(m.gpa(), m.len(), m.direction().isWrite())};
    }
    throw new IllegalArgumentException("not a simulated call: " + c.text());
  }

  private VfioGroup group(String vgpu) {
    return vgpus.get(vgpu).group();
  }

  private Kvmgt kvmgt(String vgpu) {
    return vgpus.get(vgpu).kvmgt();
  }

  private void finishCall(Pending p) {
    Call c = p.call;
    String result;
    long cycles = 0;
    long ret;
    if (p.frame == null) {
      result = p.line;
      ret = "BUG".equals(result) ? KernelModel.RET_BUG : 0;
    } else if (!p.frame.done) {
      SimLock l = p.thread.waitingFor();
      result = "DEADLOCK (" + p.thread.name + (l == null ? " never returned" : " waits for " + l.displayName()) + ")";
      ret = Long.MIN_VALUE + 1;
      stopped = true;
    } else {
      ret = p.frame.result;
      cycles = p.frame.end - p.start;
      timed.add(new Timed(c.line(), ret, cycles));
      result = format(ret);
      if (c instanceof Call.UnmapDma u && ret == 0) {
        result += " size=0x" + Long.toHexString(vms.get(u.vm()).container().unmapped());
      }
    }
    StringBuilder line = new StringBuilder().append(c.line()).append(": ").append(c.text()).append(" = ").append(result);
    boolean ok = true;
    if (c.expect().isPresent()) {
      Expect e = c.expect().get();
      ok = e instanceof Expect.Bug ? ret == KernelModel.RET_BUG : e instanceof Expect.Ret r && r.value() == ret;
      if (ok) {
        passed++;
      } else {
        failed++;
        line.append(" FAILED (expected ").append(e.text()).append(')');
      }
    } else if (p.frame != null && !p.frame.done) {
      failed++;
    }
    if (timing && p.frame != null) {
      line.append(" (").append(cycles).append(" cycles)");
    }
    out.add(line.toString());
  }

  private static String format(long ret) {
    if (ret == KernelModel.RET_BUG) {
      return "BUG";
    }
    return Errno.name(ret);
  }

  // ---------------------------------------------------------------- assertions

  private void check(Assert a) {
    long got = read(a.quantity());
    boolean ok = got == a.expected();
    if (ok) {
      passed++;
      out.add(a.line() + ": " + a.text() + " ok");
    } else {
      failed++;
      out.add(a.line() + ": " + a.text() + " FAILED (got " + got + ")");
    }
  }

  private long read(Quantity q) {
    if (q instanceof Quantity.RefCount r) {
      return vms.get(r.vm()).container().refCount(r.iovaPfn());
    }
    if (q instanceof Quantity.Pinned p) {
      return vms.get(p.vm()).container().pinnedPages();
    }
    if (q instanceof Quantity.LockedVm l) {
      return vms.get(l.vm()).mm().state.lockedVm();
    }
    if (q instanceof Quantity.ContainerUsers c) {
      return vgpus.get(c.vgpu()).group().containerUsers.value;
    }
    if (q instanceof Quantity.DmaCount d) {
      return vms.get(d.vm()).container().t1.dmaCount();
    }
    if (q instanceof Quantity.DmaAvail d) {
      return vms.get(d.vm()).container().t1.dmaAvail();
    }
    if (q instanceof Quantity.CacheEntries c) {
      return kvmgt(c.vgpu()).cache.nrCacheEntries();
    }
    if (q instanceof Quantity.CacheKref c) {
      return kvmgt(c.vgpu()).cache.kref(c.gfn());
    }
    if (q instanceof Quantity.NotifierCalls n) {
      return vms.get(n.vm()).container().t1.notifierCalls();
    }
    if (q instanceof Quantity.GupCalls g) {
      return vms.get(g.vm()).mm().state.gupCalls();
    }
    if (q instanceof Quantity.Unmapped u) {
      return vms.get(u.vm()).container().unmapped();
    }
    if (q instanceof Quantity.Bug b) {
      return vms.get(b.vm()).container().crashed() ? 1 : 0;
    }
    Quantity.Acquisitions a = (Quantity.Acquisitions) q;
    String name = a.lock().lockStatName();
    boolean read = name.endsWith("-R");
    boolean write = name.endsWith("-W");
    String cls = read || write ? name.substring(0, name.length() - 2) : name;
    SimLock l = k.model.lock(cls, a.owner().text());
    if (l == null) {
      return 0;
    }
    if (read) {
      return l.readStats().acquisitions();
    }
    if (write || l.readStats() == null) {
      return l.writeStats().acquisitions();
    }
    // an rwsem named without -R/-W (kvm->srcu): every acquisition
    return l.readStats().acquisitions() + l.writeStats().acquisitions();
  }

  // ---------------------------------------------------------------- the end

  private Result finish() {
    List<String> violations = new ArrayList<>();
    for (Invariant inv : EndChecks.atEnd(k.invariants(), k.model)) {
      for (String v : inv.check()) {
        violations.add(v);
        out.add("invariant violated: " + inv.name() + ": " + v);
        failed++;
      }
    }
    List<Finding> findings = new ArrayList<>(k.findings());
    findings.addAll(EndChecks.findings(k.model, true, 0));
    out.add(String.format(Locale.ROOT, "%d passed, %d failed", passed, failed));
    return new Result(out, passed, failed, violations, findings, timed);
  }
}
