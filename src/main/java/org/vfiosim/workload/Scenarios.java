package org.vfiosim.workload;

import java.util.List;
import org.vfiosim.actors.KernelModel;
import org.vfiosim.config.ConfigView;
import org.vfiosim.config.UserError;
import org.vfiosim.kernel.Costs;
import org.vfiosim.kernel.Generation;
import org.vfiosim.run.RunSettings;
import org.vfiosim.sim.Model;

/** The scenario kinds ({@code vfiosim.scenario}) and how each is built from its settings. */
public final class Scenarios {
  public static final List<String> KINDS = List.of("gvt-fleet", "mutex-bench");
  /** The settings section each kind reads (the same index as {@link #KINDS}). */
  private static final List<String> SECTIONS = List.of("vfiosim.fleet", "vfiosim.workload");
  /** What-if variants of the kernel model (gvt-fleet only). */
  private static final String VARIANTS = "vfiosim.variants";

  private Scenarios() {}

  /** Validates the kind's settings (a bad value is a {@link UserError}) and builds the model. */
  public static Scenario build(RunSettings s) {
    ConfigView c = s.view();
    if (KINDS.contains(s.kind())) {
      rejectOtherKindsSettings(s);
    }
    return switch (s.kind()) {
      case "mutex-bench" -> mutexBench(c);
      case "gvt-fleet" -> gvtFleet(s, c);
      default -> throw c.bad("vfiosim.scenario", "must be one of " + String.join(", ", KINDS) + ", got '"
          + s.kind() + "'");
    };
  }

  /**
   * A setting of another kind's section, given in the scenario file or with --set, would be
   * silently ignored: it is an error (the defaults of every section stay, unread).
   */
  private static void rejectOtherKindsSettings(RunSettings s) {
    for (int i = 0; i < KINDS.size(); i++) {
      if (!KINDS.get(i).equals(s.kind())) {
        rejectSet(s, SECTIONS.get(i), "is a setting of scenario kind " + KINDS.get(i) + ", not of " + s.kind()
            + " (vfiosim.scenario)");
      }
    }
    if (!s.kind().equals("gvt-fleet")) {
      for (String section : FleetFaults.KEYS) {
        rejectSet(s, section, "is a fault of scenario kind gvt-fleet, not of " + s.kind() + " (vfiosim.scenario)");
      }
      rejectSet(s, VARIANTS, "is a variant of the VFIO model of scenario kind gvt-fleet, not of " + s.kind()
          + " (vfiosim.scenario)");
    }
  }

  /** Any key under {@code section} in the scenario file or a --set is an error: {@code why}. */
  private static void rejectSet(RunSettings s, String section, String why) {
    String set = s.loaded().firstSetUnder(section);
    if (set != null) {
      throw new UserError(set + " " + why);
    }
  }


  private static Scenario gvtFleet(RunSettings s, ConfigView c) {
    String f = "vfiosim.fleet.";
    long guestMem = c.bytesBetween(f + "guest-mem", 64L << 20, 1L << 46);
    GvtFleet.Params p = new GvtFleet.Params(
        c.intBetween(f + "vms", 1, 1 << 16),
        c.intBetween(f + "vgpus-per-vm", 1, 8),
        c.intBetween(f + "vgpus-per-gpu", 1, 1024),
        guestMem,
        c.doubleBetween(f + "duration-ms", 0, 1e7),
        c.doubleBetween(f + "guest-uptime-ms", 0, 1e9),
        c.intBetween(f + "engines", 1, 16),
        c.doubleBetween(f + "workload-rate-hz", 0, 1e7),
        c.doubleBetween(f + "gpu-exec-us", 0, 1e7),
        c.intBetween(f + "rw-per-workload", 0, 4096),
        c.doubleBetween(f + "read-share", 0, 1),
        c.doubleBetween(f + "read-page-share", 0, 1),
        c.intBetween(f + "ctx-pages", 1, 4096),
        c.doubleBetween(f + "ctx-break-share", 0, 1),
        c.doubleBetween(f + "gtt-rate-hz", 0, 1e7),
        c.doubleBetween(f + "gtt-hit-ratio", 0, 1),
        c.doubleBetween(f + "gtt-2m-share", 0, 1),
        c.doubleBetween(f + "gtt-unmap-share", 0, 1),
        c.intBetween(f + "gtt-working-set", 1, 1 << 20),
        c.bytesBetween(f + "hotplug-mem", 0, guestMem / 2),
        c.doubleBetween(f + "churn-interval-ms", 0, 1e7),
        c.doubleBetween(f + "gtt-hotplug-share", 0, 1));
    if (p.hotplugMem() % (2L << 20) != 0) {
      throw c.bad(f + "hotplug-mem", "must be a multiple of 2M, got " + p.hotplugMem());
    }
    if (p.guestMem() % (2L << 20) != 0) {
      throw c.bad(f + "guest-mem", "must be a multiple of 2M, got " + p.guestMem());
    }
    if (p.churnIntervalMs() > 0 && p.hotplugMem() == 0) {
      throw c.bad(f + "churn-interval-ms", "needs a hot-plug region (vfiosim.fleet.hotplug-mem > 0)");
    }
    long ramPages = (p.guestMem() - p.hotplugMem()) >> 12;
    if (ramPages < (long) p.gttWorkingSet() + p.ctxPages() + 2048) {
      throw c.bad(f + "gtt-working-set", "and ctx-pages must fit in guest RAM below the hot-plug region");
    }
    if (p.gttHotplugShare() > 0 && p.hotplugMem() == 0) {
      throw c.bad(f + "gtt-hotplug-share", "needs a hot-plug region (vfiosim.fleet.hotplug-mem > 0)");
    }
    FleetFaults faults = FleetFaults.of(c, p);
    Costs costs = new Costs(s.costs()); // loaded and checked by ConfigLoader.loadCosts
    Generation gen = Generation.parse(s.generation()).orElseThrow();
    var variants = new KernelModel.Variants(
        c.oneOf(VARIANTS + ".iommu-lock", KernelModel.IOMMU_LOCK_VARIANTS.toArray(String[]::new)).equals("rwsem"),
        c.oneOf(VARIANTS + ".dma-rw-mm", KernelModel.DMA_RW_MM_VARIANTS.toArray(String[]::new))
            .equals("mmget_not_zero"));
    return GvtFleet.scenario(costs, gen, variants, p, faults, s.seed(), s.cpuGhz());
  }

  private static Scenario mutexBench(ConfigView c) {
    MutexBench.Params p = new MutexBench.Params(
        c.intBetween("vfiosim.workload.clients", 1, 1 << 22),
        c.longAtLeast("vfiosim.workload.iterations", 0),
        c.longBetween("vfiosim.workload.hold-cycles", 0, 1L << 40),
        c.longBetween("vfiosim.workload.think-cycles", 0, 1L << 40),
        c.intBetween("vfiosim.workload.mutexes", 1, 1 << 22));
    Model m = new Model(1);
    MutexBench.build(m, p);
    return new Scenario(m, MutexBench.expectedEnd(p), List.of());
  }
}
