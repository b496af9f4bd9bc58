package org.vfiosim.script;

import org.vfiosim.kernel.Generation;
import org.vfiosim.kernel.Errno;

import static org.vfiosim.script.Lex.q;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Parser and validator of op scripts ({@code script-format.md}). The whole script is checked before
 * anything runs: every script error (unknown statement, bad number, entry point missing in the
 * generation, unknown or duplicate names, unknown/missing/duplicate arguments, bad flag values,
 * unknown errno, malformed assertions, unbalanced or nested {@code parallel} blocks, misplaced
 * setup statements) is a {@link ScriptError} {@code FILE:LINE: what is wrong}. No other exception
 * escapes for any text.
 *
 * <p>One parser instance per script; use {@link #parse(String, String)}.
 */
public final class ScriptParser {
  private static final Set<String> SETUP_KEYWORDS =
      Set.of("generation", "param", "vm", "mmio", "vgpu");
  private static final Set<String> NONE = Set.of();

  private final String file;

  private Generation generation;
  private int generationLine;
  private boolean sawStatement;
  private final Map<Setup.ParamName, Long> params = new EnumMap<>(Setup.ParamName.class);
  private final Map<String, Setup.Vm> vms = new LinkedHashMap<>();
  private final Map<String, Setup.Vgpu> vgpus = new LinkedHashMap<>();
  private final List<Stmt> statements = new ArrayList<>();

  /** Line of the open parallel block, 0 when none is open. */
  private int parallelLine;
  private String parallelText;
  private List<Step> parallelBody;

  /** The line being parsed (for errors). */
  private int line;

  private ScriptParser(String file) {
    this.file = file;
    for (Setup.ParamName p : Setup.ParamName.values()) {
      params.put(p, p.defaultValue());
    }
  }

  /**
   * Parses and validates a whole script.
   *
   * @param fileName used in error messages only
   * @param text the script; lines end with {@code \n} (a {@code \r} before it is ignored)
   * @throws ScriptError on the first error, by line
   */
  public static Script parse(String fileName, String text) throws ScriptError {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(text, "text");
    return new ScriptParser(fileName).run(text);
  }

  /**
   * Reads (UTF-8, malformed bytes replaced) and parses a script file; messages name the file as
   * {@code path.toString()}.
   */
  public static Script parseFile(Path path) throws IOException, ScriptError {
    String text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
    return parse(path.toString(), text);
  }

  private Script run(String text) throws ScriptError {
    int start = 0;
    int lineNo = 0;
    while (true) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl;
      lineNo++;
      statement(lineNo, text.substring(start, end));
      if (nl < 0) {
        break;
      }
      start = nl + 1;
    }
    if (parallelLine != 0) {
      line = parallelLine;
      throw err("parallel block is never closed (missing '}')");
    }
    return new Script(
        file,
        generation == null ? Generation.DEFAULT : generation,
        generationLine,
        params,
        vms,
        vgpus,
        statements);
  }

  private ScriptError err(String detail) {
    return new ScriptError(file, line, detail);
  }

  // ---------------------------------------------------------------- statements

  private void statement(int lineNo, String raw) throws ScriptError {
    line = lineNo;
    int hash = raw.indexOf('#');
    String text = Lex.trim(hash < 0 ? raw : raw.substring(0, hash));
    if (text.isEmpty()) {
      return;
    }
    String[] w = Lex.words(text);
    String kw = w[0];
    if (kw.equals("generation")) {
      generation(w);
      return;
    }
    if (parallelLine != 0 && SETUP_KEYWORDS.contains(kw)) {
      throw err(kw + " is not allowed inside a parallel block");
    }
    if (!sawStatement) {
      sawStatement = true;
      generation = Generation.DEFAULT;
    }
    switch (kw) {
      case "param" -> param(w, text);
      case "vm" -> vm(w, text);
      case "mmio" -> mmio(w, text);
      case "vgpu" -> vgpu(w, text);
      case "parallel" -> openParallel(w, text);
      case "}" -> closeParallel(w);
      case "assert" -> step(assertion(w, text));
      default -> {
        Optional<EntryPoint> ep = EntryPoint.byKeyword(kw);
        if (ep.isEmpty()) {
          throw err("unknown statement " + q(kw));
        }
        if (!ep.get().existsIn(generation)) {
          throw err(kw + " does not exist in generation " + generation.id());
        }
        step(call(ep.get(), w, text));
      }
    }
  }

  private void step(Step s) {
    if (parallelLine != 0) {
      parallelBody.add(s);
    } else {
      statements.add(s);
    }
  }

  private void generation(String[] w) throws ScriptError {
    if (parallelLine != 0) {
      throw err("generation is not allowed inside a parallel block");
    }
    if (generationLine != 0) {
      throw err("generation given twice (first at line " + generationLine + ")");
    }
    if (sawStatement) {
      throw err("generation must come before any other statement");
    }
    if (w.length != 2) {
      throw err("generation takes one of v5.6, v5.10, v5.10-contig");
    }
    Optional<Generation> g = Generation.parse(w[1]);
    if (g.isEmpty()) {
      throw err("unknown generation " + q(w[1]) + " (v5.6, v5.10 or v5.10-contig)");
    }
    generation = g.get();
    generationLine = line;
    sawStatement = true;
  }

  private void param(String[] w, String text) throws ScriptError {
    if (w.length != 2 || w[1].indexOf('=') < 0) {
      throw err("param takes one NAME=VALUE (dma_entry_limit=N)");
    }
    int eq = w[1].indexOf('=');
    String key = w[1].substring(0, eq);
    String value = w[1].substring(eq + 1);
    Setup.ParamName name = null;
    for (Setup.ParamName p : Setup.ParamName.values()) {
      if (p.scriptName().equals(key)) {
        name = p;
      }
    }
    if (name == null) {
      throw err("unknown param " + q(key));
    }
    long v = number(value, key);
    if (v < 0 || v > 0xffff_ffffL) {
      throw err("bad value " + q(value) + " for " + key + " (0 to 4294967295)");
    }
    params.put(name, v);
    statements.add(new Setup.Param(line, text, name, v));
  }

  private void vm(String[] w, String text) throws ScriptError {
    String name = declaredName(w, "VM");
    if (name.equals("kthread")) {
      throw err("'kthread' cannot be a VM name (ctx=kthread means a kernel thread)");
    }
    Args a =
        new Args(
            "vm", w, 2, Set.of("mem", "memlock", "iommu", "backing"),
            Set.of("cap_ipc_lock", "iommu_backed"));
    long mem = a.has("mem") ? a.number("mem") : Setup.Vm.DEFAULT_MEM;
    long memlock = Setup.Vm.MEMLOCK_UNLIMITED;
    if (a.has("memlock")) {
      String v = a.required("memlock");
      memlock = v.equals("unlimited") ? Setup.Vm.MEMLOCK_UNLIMITED : number(v, "memlock");
    }
    Setup.IommuType iommu = Setup.IommuType.TYPE1V2;
    if (a.has("iommu")) {
      iommu = choice(a.required("iommu"), "iommu", Setup.IommuType.values(), Setup.IommuType::scriptName);
    }
    Setup.Backing backing = Setup.Backing.CONTIGUOUS;
    if (a.has("backing")) {
      backing =
          choice(a.required("backing"), "backing", Setup.Backing.values(), Setup.Backing::scriptName);
    }
    Setup.Vm vm =
        new Setup.Vm(
            line,
            text,
            name,
            mem,
            memlock,
            a.flag("cap_ipc_lock"),
            iommu,
            a.flag("iommu_backed"),
            backing,
            params.get(Setup.ParamName.DMA_ENTRY_LIMIT));
    vms.put(name, vm);
    statements.add(vm);
  }

  private void mmio(String[] w, String text) throws ScriptError {
    String vm = vmTarget(w, "mmio");
    Args a = new Args("mmio", w, 2, Set.of("vaddr", "size"), NONE);
    long vaddr = a.number("vaddr");
    long size = a.number("size");
    statements.add(new Setup.Mmio(line, text, vm, vaddr, size));
  }

  private void vgpu(String[] w, String text) throws ScriptError {
    String name = declaredName(w, "vGPU");
    Args a = new Args("vgpu", w, 2, Set.of("vm", "devices", "notifier"), NONE);
    String vm = vm(a.required("vm"));
    int devices = Setup.Vgpu.DEFAULT_DEVICES;
    if (a.has("devices")) {
      String v = a.required("devices");
      long n = number(v, "devices");
      if (n < 1 || n > Integer.MAX_VALUE) {
        throw err("bad value " + q(v) + " for devices (1 or more)");
      }
      devices = (int) n;
    }
    Setup.Notifier notifier = Setup.Notifier.OK;
    if (a.has("notifier")) {
      notifier =
          choice(
              a.required("notifier"), "notifier", Setup.Notifier.values(), Setup.Notifier::scriptName);
    }
    Setup.Vgpu vgpu = new Setup.Vgpu(line, text, name, vm, devices, notifier);
    vgpus.put(name, vgpu);
    statements.add(vgpu);
  }

  private void openParallel(String[] w, String text) throws ScriptError {
    if (parallelLine != 0) {
      throw err("nested parallel block (the block at line " + parallelLine + " is still open)");
    }
    if (w.length != 2 || !w[1].equals("{")) {
      throw err("expected 'parallel {' on a line of its own");
    }
    parallelLine = line;
    parallelText = text;
    parallelBody = new ArrayList<>();
  }

  private void closeParallel(String[] w) throws ScriptError {
    if (parallelLine == 0) {
      throw err("'}' without an open parallel block");
    }
    if (w.length != 1) {
      throw err("unexpected " + q(w[1]) + " after '}'");
    }
    statements.add(new Parallel(parallelLine, parallelText, parallelBody));
    parallelLine = 0;
    parallelText = null;
    parallelBody = null;
  }

  // ---------------------------------------------------------------- entry points

  private Call call(EntryPoint ep, String[] w, String text) throws ScriptError {
    String kw = ep.keyword();
    String target =
        switch (ep.target()) {
          case VM -> vmTarget(w, kw);
          case VGPU -> vgpuTarget(w, kw);
          case NONE -> null;
        };
    int from = ep.target() == EntryPoint.Target.NONE ? 1 : 2;
    switch (ep) {
      case VFIO_IOMMU_MAP_DMA -> {
        Args a = callArgs(kw, w, from, "iova", "size", "vaddr", "flags");
        long iova = a.number("iova");
        long size = a.number("size");
        long vaddr = a.has("vaddr") ? a.number("vaddr") : Call.QEMU_RAM_BASE + iova;
        int flags = prot(a.required("flags"), "flags");
        return new Call.MapDma(line, text, target, iova, size, vaddr, flags, expect(a));
      }
      case VFIO_IOMMU_UNMAP_DMA -> {
        Args a = callArgs(kw, w, from, "iova", "size");
        long iova = a.number("iova");
        long size = a.number("size");
        return new Call.UnmapDma(line, text, target, iova, size, expect(a));
      }
      case VFIO_GROUP_UNSET_CONTAINER -> {
        Args a = callArgs(kw, w, from);
        return new Call.UnsetContainer(line, text, target, expect(a));
      }
      case INTEL_VGPU_OPEN -> {
        Args a = callArgs(kw, w, from);
        return new Call.VgpuOpen(line, text, target, expect(a));
      }
      case INTEL_VGPU_RELEASE -> {
        Args a = callArgs(kw, w, from);
        return new Call.VgpuRelease(line, text, target, expect(a));
      }
      case VFIO_PIN_PAGES, VFIO_GROUP_PIN_PAGES -> {
        Args a = callArgs(kw, w, from, "pfns", "prot");
        PfnList pfns = pfns(a.required("pfns"));
        int prot = a.has("prot") ? prot(a.required("prot"), "prot") : Call.DEFAULT_PROT;
        return ep == EntryPoint.VFIO_PIN_PAGES
            ? new Call.PinPages(line, text, target, pfns, prot, expect(a))
            : new Call.GroupPinPages(line, text, target, pfns, prot, expect(a));
      }
      case VFIO_UNPIN_PAGES, VFIO_GROUP_UNPIN_PAGES -> {
        Args a = callArgs(kw, w, from, "pfns");
        PfnList pfns = pfns(a.required("pfns"));
        return ep == EntryPoint.VFIO_UNPIN_PAGES
            ? new Call.UnpinPages(line, text, target, pfns, expect(a))
            : new Call.GroupUnpinPages(line, text, target, pfns, expect(a));
      }
      case VFIO_GROUP_GET_EXTERNAL_USER_FROM_DEV -> {
        Args a = callArgs(kw, w, from);
        return new Call.GetExternalUser(line, text, target, expect(a));
      }
      case VFIO_GROUP_PUT_EXTERNAL_USER -> {
        Args a = callArgs(kw, w, from);
        return new Call.PutExternalUser(line, text, target, expect(a));
      }
      case VFIO_DMA_RW -> {
        Args a =
            new Args(kw, w, from, Set.of("iova", "len", "ctx", "expect"), Set.of("read", "write"));
        long iova = a.number("iova");
        long len = a.number("len");
        Call.Direction dir = direction(a, kw);
        Call.RwCaller caller = new Call.Kthread();
        if (a.has("ctx")) {
          String c = a.required("ctx");
          caller = c.equals("kthread") ? new Call.Kthread() : new Call.VmThread(vm(c));
        }
        return new Call.DmaRw(line, text, target, iova, len, dir, caller, expect(a));
      }
      case KVMGT_DMA_MAP_GUEST_PAGE -> {
        Args a = callArgs(kw, w, from, "gfn", "size");
        long gfn = a.number("gfn");
        String sv = a.required("size");
        long size = number(sv, "size");
        if (size != Call.KvmgtDmaMap.SIZE_4K
            && size != Call.KvmgtDmaMap.SIZE_64K
            && size != Call.KvmgtDmaMap.SIZE_2M) {
          throw err("bad size " + q(sv) + " for " + kw + " (4K, 64K or 2M)");
        }
        return new Call.KvmgtDmaMap(line, text, target, gfn, size, expect(a));
      }
      case KVMGT_DMA_UNMAP_GUEST_PAGE -> {
        Args a = callArgs(kw, w, from, "gfn");
        long gfn = a.number("gfn");
        return new Call.KvmgtDmaUnmap(line, text, target, gfn, expect(a));
      }
      case KVMGT_RW_GPA -> {
        Args a = new Args(kw, w, from, Set.of("gpa", "len", "expect"), Set.of("read", "write"));
        long gpa = a.number("gpa");
        long len = a.number("len");
        Call.Direction dir = direction(a, kw);
        return new Call.KvmgtRwGpa(line, text, target, gpa, len, dir, expect(a));
      }
      case QEMU_EXIT -> {
        Args a = callArgs(kw, w, from);
        return new Call.QemuExit(line, text, target, expect(a));
      }
      case RESET_COUNTERS -> {
        Args a = callArgs(kw, w, from);
        return new Call.ResetCounters(line, text, expect(a));
      }
    }
    throw new AssertionError(ep);
  }

  private Args callArgs(String kw, String[] w, int from, String... keys) throws ScriptError {
    Set<String> k = new LinkedHashSet<>(List.of(keys));
    k.add("expect");
    return new Args(kw, w, from, k, NONE);
  }

  private Call.Direction direction(Args a, String kw) throws ScriptError {
    boolean r = a.flag("read");
    boolean wr = a.flag("write");
    if (r && wr) {
      throw err("read and write are exclusive for " + kw);
    }
    if (!r && !wr) {
      throw err("missing read or write for " + kw);
    }
    return r ? Call.Direction.READ : Call.Direction.WRITE;
  }

  private Optional<Expect> expect(Args a) throws ScriptError {
    if (!a.has("expect")) {
      return Optional.empty();
    }
    String s = a.required("expect");
    if (s.equals("BUG")) {
      return Optional.of(new Expect.Bug());
    }
    if (looksLikeErrno(s)) {
      if (s.charAt(0) != '-') {
        throw err("bad expect " + q(s) + " (errno names are written -" + s + ")");
      }
      OptionalLong e = Errno.parse(s);
      if (e.isEmpty()) {
        throw err("unknown errno " + q(s));
      }
      return Optional.of(new Expect.Ret(e.getAsLong(), s));
    }
    OptionalLong n = Lex.number(s, true);
    if (n.isEmpty()) {
      throw err("bad number " + q(s) + " for expect");
    }
    return Optional.of(new Expect.Ret(n.getAsLong(), s));
  }

  /** {@code E...} or {@code -E...} with upper-case letters and digits: meant as an errno name. */
  private static boolean looksLikeErrno(String s) {
    int i = s.startsWith("-") ? 1 : 0;
    if (i >= s.length() || s.charAt(i) != 'E') {
      return false;
    }
    for (int j = i + 1; j < s.length(); j++) {
      char c = s.charAt(j);
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code flags=} / {@code prot=}: {@code READ}, {@code WRITE}, {@code READ,WRITE} (either order,
   * each at most once), or a number (raw bits, up to 32, for the kernel's invalid-flag checks).
   */
  private int prot(String v, String key) throws ScriptError {
    String bad = "bad value " + q(v) + " for " + key + " (READ, WRITE, READ,WRITE or a number)";
    if (!v.isEmpty() && v.charAt(0) >= '0' && v.charAt(0) <= '9') {
      OptionalLong n = Lex.number(v, false);
      if (n.isEmpty() || n.getAsLong() < 0 || n.getAsLong() > 0xffff_ffffL) {
        throw err(bad);
      }
      return (int) n.getAsLong();
    }
    int bits = 0;
    for (String part : v.split(",", -1)) {
      int b =
          switch (part) {
            case "READ" -> Call.READ;
            case "WRITE" -> Call.WRITE;
            default -> 0;
          };
      if (b == 0 || (bits & b) != 0) {
        throw err(bad);
      }
      bits |= b;
    }
    return bits;
  }

  /** A pfn list: {@code P} or {@code P+N} elements, comma separated; empty is npage 0. */
  private PfnList pfns(String v) throws ScriptError {
    if (v.isEmpty()) {
      return PfnList.EMPTY;
    }
    List<PfnList.Run> runs = new ArrayList<>();
    long total = 0;
    for (String el : v.split(",", -1)) {
      if (el.isEmpty()) {
        throw err("empty element in pfns list " + q(v));
      }
      int plus = el.indexOf('+');
      long start = number(plus < 0 ? el : el.substring(0, plus), "pfns");
      long n = 1;
      if (plus >= 0) {
        n = number(el.substring(plus + 1), "pfns");
      }
      if (n < 0 || n > Integer.MAX_VALUE) {
        throw err("pfn list too long");
      }
      if (n > 0 && Long.compareUnsigned(start, -1L - (n - 1)) > 0) {
        throw err("pfn run " + q(el) + " goes past 0xffffffffffffffff");
      }
      total += n;
      if (total > Integer.MAX_VALUE) {
        throw err("pfn list too long");
      }
      runs.add(new PfnList.Run(start, n));
    }
    return PfnList.of(runs);
  }

  // ---------------------------------------------------------------- assertions

  private Assert assertion(String[] w, String text) throws ScriptError {
    if (w.length < 2 || w[1].equals("==")) {
      throw err("missing quantity in assert");
    }
    String qk = w[1];
    if (!QUANTITIES.contains(qk)) {
      throw err("unknown assert quantity " + q(qk));
    }
    int eq = -1;
    for (int i = 2; i < w.length; i++) {
      if (w[i].equals("==")) {
        eq = i;
        break;
      }
    }
    if (eq < 0) {
      throw err("missing '==' in assert " + qk);
    }
    String what = "assert " + qk;
    String[] qw = new String[eq];
    System.arraycopy(w, 0, qw, 0, eq);
    // qw[0] = "assert", qw[1] = quantity, qw[2..] = its arguments
    Quantity quantity =
        switch (qk) {
          case "ref_count" -> {
            String vm = vmTarget(qw, 1, what);
            Args a = new Args(what, qw, 3, Set.of("iova_pfn"), NONE);
            yield new Quantity.RefCount(vm, a.number("iova_pfn"));
          }
          case "pinned" -> new Quantity.Pinned(onlyVm(qw, what));
          case "locked_vm" -> new Quantity.LockedVm(onlyVm(qw, what));
          case "container_users" -> new Quantity.ContainerUsers(onlyVgpu(qw, what));
          case "dma_count" -> new Quantity.DmaCount(onlyVm(qw, what));
          case "dma_avail" -> new Quantity.DmaAvail(onlyVm(qw, what));
          case "cache_entries" -> new Quantity.CacheEntries(onlyVgpu(qw, what));
          case "cache_kref" -> {
            String vgpu = vgpuTarget(qw, 1, what);
            Args a = new Args(what, qw, 3, Set.of("gfn"), NONE);
            yield new Quantity.CacheKref(vgpu, a.number("gfn"));
          }
          case "notifier_calls" -> new Quantity.NotifierCalls(onlyVm(qw, what));
          case "gup_calls" -> new Quantity.GupCalls(onlyVm(qw, what));
          case "acquisitions" -> acquisitions(qw, what);
          case "unmapped" -> new Quantity.Unmapped(onlyVm(qw, what));
          case "bug" -> new Quantity.Bug(onlyVm(qw, what));
          default -> throw new AssertionError(qk);
        };
    if (eq == w.length - 1) {
      throw err("missing value after '==' in " + what);
    }
    String value = w[eq + 1];
    OptionalLong v = Lex.number(value, false);
    if (v.isEmpty()) {
      throw err("bad number " + q(value) + " for the value of " + what);
    }
    if (eq + 2 < w.length) {
      throw err("unexpected " + q(w[eq + 2]) + " after the value of " + what);
    }
    return new Assert(line, text, quantity, v.getAsLong());
  }

  private static final Set<String> QUANTITIES =
      Set.of(
          "ref_count",
          "pinned",
          "locked_vm",
          "container_users",
          "dma_count",
          "dma_avail",
          "cache_entries",
          "cache_kref",
          "notifier_calls",
          "gup_calls",
          "acquisitions",
          "unmapped",
          "bug");

  private String onlyVm(String[] qw, String what) throws ScriptError {
    String vm = vmTarget(qw, 1, what);
    new Args(what, qw, 3, NONE, NONE);
    return vm;
  }

  private String onlyVgpu(String[] qw, String what) throws ScriptError {
    String vgpu = vgpuTarget(qw, 1, what);
    new Args(what, qw, 3, NONE, NONE);
    return vgpu;
  }

  private Quantity acquisitions(String[] qw, String what) throws ScriptError {
    if (qw.length < 3) {
      throw err("missing lock name for " + what);
    }
    Optional<LockName> lock = LockName.byLockStatName(qw[2]);
    if (lock.isEmpty()) {
      throw err("unknown lock " + q(qw[2]));
    }
    LockName l = lock.get();
    if (qw.length < 4) {
      throw err("missing owner for " + what + " " + l + " (" + l.ownerKind().description() + ")");
    }
    String o = qw[3];
    Owner owner =
        switch (l.ownerKind()) {
          case HOST -> {
            if (!o.equals("host")) {
              throw err("owner of " + l + " must be host, not " + q(o));
            }
            yield new Owner.Host();
          }
          case VM -> new Owner.Vm(vm(o));
          case VGPU -> new Owner.Vgpu(vgpu(o));
          case GPU -> {
            int idx = Lex.gpuIndex(o);
            if (idx < 0) {
              throw err("owner of " + l + " must be gpuN, not " + q(o));
            }
            yield new Owner.Gpu(idx);
          }
        };
    if (qw.length > 4) {
      throw err("unexpected " + q(qw[4]) + " in " + what);
    }
    return new Quantity.Acquisitions(l, owner);
  }

  // ---------------------------------------------------------------- names

  /** The name declared by {@code vm NAME} / {@code vgpu NAME}; checks form and uniqueness. */
  private String declaredName(String[] w, String kind) throws ScriptError {
    if (w.length < 2 || w[1].indexOf('=') >= 0) {
      throw err("missing " + kind + " name for " + w[0]);
    }
    String name = w[1];
    if (!Lex.isName(name)) {
      throw err("bad " + kind + " name " + q(name) + " (a letter or _, then letters, digits, _ . -)");
    }
    Setup.Vm vm = vms.get(name);
    if (vm != null) {
      throw err(
          (kind.equals("VM") ? "duplicate VM " : "duplicate name ")
              + q(name)
              + " (a VM declared at line "
              + vm.line()
              + ")");
    }
    Setup.Vgpu vgpu = vgpus.get(name);
    if (vgpu != null) {
      throw err(
          (kind.equals("vGPU") ? "duplicate vGPU " : "duplicate name ")
              + q(name)
              + " (a vGPU declared at line "
              + vgpu.line()
              + ")");
    }
    return name;
  }

  private String vmTarget(String[] w, String what) throws ScriptError {
    return vmTarget(w, 0, what);
  }

  /** The VM named by the word after {@code w[at]}. */
  private String vmTarget(String[] w, int at, String what) throws ScriptError {
    if (w.length <= at + 1 || w[at + 1].indexOf('=') >= 0) {
      throw err("missing VM for " + what);
    }
    return vm(w[at + 1]);
  }

  private String vgpuTarget(String[] w, String what) throws ScriptError {
    return vgpuTarget(w, 0, what);
  }

  private String vgpuTarget(String[] w, int at, String what) throws ScriptError {
    if (w.length <= at + 1 || w[at + 1].indexOf('=') >= 0) {
      throw err("missing vGPU for " + what);
    }
    return vgpu(w[at + 1]);
  }

  /** A reference to a VM declared on an earlier line. */
  private String vm(String name) throws ScriptError {
    if (vms.containsKey(name)) {
      return name;
    }
    if (vgpus.containsKey(name)) {
      throw err("unknown VM " + q(name) + " (it is a vGPU)");
    }
    throw err("unknown VM " + q(name));
  }

  /** A reference to a vGPU declared on an earlier line. */
  private String vgpu(String name) throws ScriptError {
    if (vgpus.containsKey(name)) {
      return name;
    }
    if (vms.containsKey(name)) {
      throw err("unknown vGPU " + q(name) + " (it is a VM)");
    }
    throw err("unknown vGPU " + q(name));
  }

  // ---------------------------------------------------------------- values

  private long number(String v, String key) throws ScriptError {
    OptionalLong n = Lex.number(v, false);
    if (n.isEmpty()) {
      throw err("bad number " + q(v) + " for " + key);
    }
    return n.getAsLong();
  }

  private interface Named<T> {
    String name(T t);
  }

  private <T> T choice(String v, String key, T[] options, Named<T> named) throws ScriptError {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < options.length; i++) {
      String n = named.name(options[i]);
      if (n.equals(v)) {
        return options[i];
      }
      list.append(i == 0 ? "" : i == options.length - 1 ? " or " : ", ").append(n);
    }
    throw err("bad value " + q(v) + " for " + key + " (" + list + ")");
  }

  /**
   * The {@code key=value} arguments and bare-word flags of one statement, from word {@code from}
   * on. Unknown, duplicate, value-less keys and valued flags are errors, in word order.
   */
  private final class Args {
    private final String what;
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new LinkedHashSet<>();

    Args(String what, String[] w, int from, Set<String> keys, Set<String> flagWords)
        throws ScriptError {
      this.what = what;
      for (int i = from; i < w.length; i++) {
        String tok = w[i];
        int eq = tok.indexOf('=');
        if (eq < 0) {
          if (flagWords.contains(tok)) {
            if (!flags.add(tok)) {
              throw err("duplicate argument " + q(tok) + " for " + what);
            }
          } else if (keys.contains(tok)) {
            throw err("argument " + q(tok) + " of " + what + " needs a value (" + tok + "=...)");
          } else {
            throw err("unknown argument " + q(tok) + " for " + what);
          }
          continue;
        }
        String key = tok.substring(0, eq);
        if (key.isEmpty()) {
          throw err("bad argument " + q(tok) + " for " + what);
        }
        if (flagWords.contains(key)) {
          throw err("argument " + q(key) + " of " + what + " takes no value");
        }
        if (!keys.contains(key)) {
          throw err("unknown argument " + q(key) + " for " + what);
        }
        if (values.putIfAbsent(key, tok.substring(eq + 1)) != null) {
          throw err("duplicate argument " + key + "= for " + what);
        }
      }
    }

    boolean has(String key) {
      return values.containsKey(key);
    }

    boolean flag(String word) {
      return flags.contains(word);
    }

    String required(String key) throws ScriptError {
      String v = values.get(key);
      if (v == null) {
        throw err("missing argument " + key + "= for " + what);
      }
      return v;
    }

    long number(String key) throws ScriptError {
      return ScriptParser.this.number(required(key), key);
    }
  }
}
