package org.vfiosim.workload;

import com.typesafe.config.ConfigException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.vfiosim.config.ConfigView;
import org.vfiosim.config.UserError;

/**
 * The kernel faults of a gvt-fleet run ({@code vfiosim.faults.*} but {@code actor-crash}): which
 * vGPUs have a buggy vendor driver, which VMs' QEMU crashes and when, which vGPUs' kvmgt release
 * races QEMU's UNMAP_DMA, and per-VM RLIMIT_MEMLOCK and dma_entry_limit. Names are checked against
 * the fleet (VMs {@code vm0..}, vGPUs {@code vm0v0..}).
 */
public record FleetFaults(
    Set<String> buggyVendorVgpus,
    Set<String> crashVms,
    double crashAtMs,
    Set<String> raceVgpus,
    double raceDelayUs,
    Set<String> rlimitVms,
    long rlimitPages,
    Set<String> dmaLimitVms,
    int dmaLimit) {

  private static final String F = "vfiosim.faults.";

  /** The fault sections this class reads: a run of another kind that sets one is rejected. */
  static final List<String> KEYS = List.of(F + "buggy-vendor", F + "qemu-crash", F + "release-race",
      F + "rlimit-memlock", F + "dma-entry-limit");

  /** Whether any fault is configured (the results then carry a {@code faults} section). */
  public boolean any() {
    return !buggyVendorVgpus.isEmpty() || !crashVms.isEmpty() || !raceVgpus.isEmpty() || !rlimitVms.isEmpty()
        || !dmaLimitVms.isEmpty();
  }

  /** Reads and checks the fault settings against the fleet {@code p}; a bad one is a {@link UserError}. */
  public static FleetFaults of(ConfigView c, GvtFleet.Params p) {
    Set<String> buggy = names(c, F + "buggy-vendor.vgpus", p, true);
    Set<String> crash = names(c, F + "qemu-crash.vms", p, false);
    double crashAt = c.doubleBetween(F + "qemu-crash.at-ms", 0, 1e7);
    if (!crash.isEmpty() && !(crashAt > 0 && crashAt < p.durationMs())) {
      throw c.bad(F + "qemu-crash.at-ms", "must be above 0 and below vfiosim.fleet.duration-ms (" + p.durationMs()
          + "), got " + crashAt);
    }
    Set<String> race = names(c, F + "release-race.vgpus", p, true);
    double delay = c.doubleBetween(F + "release-race.delay-us", 0, 1e6);
    for (String v : race) {
      String vm = v.substring(0, v.indexOf('v', 2));
      if (crash.contains(vm)) {
        throw c.bad(F + "release-race.vgpus", "names " + v + " of " + vm
            + ", whose QEMU crashes (vfiosim.faults.qemu-crash.vms): it never shuts down");
      }
    }
    Set<String> rlimit = names(c, F + "rlimit-memlock.vms", p, false);
    long pages = c.longBetween(F + "rlimit-memlock.pages", 0, 1L << 40);
    Set<String> dmaVms = names(c, F + "dma-entry-limit.vms", p, false);
    int limit = c.intBetween(F + "dma-entry-limit.limit", 0, 65535);
    return new FleetFaults(buggy, crash, crashAt, race, delay, rlimit, pages, dmaVms, limit);
  }

  /** A list of VM ({@code vm3}) or vGPU ({@code vm3v0}) names of this fleet, each at most once. */
  private static Set<String> names(ConfigView c, String path, GvtFleet.Params p, boolean vgpus) {
    List<String> list;
    try {
      list = c.config().getStringList(path);
    } catch (ConfigException e) {
      throw c.bad(path, "must be a list of " + (vgpus ? "vGPU" : "VM") + " names");
    }
    Set<String> out = new LinkedHashSet<>();
    for (String n : list) {
      if (!exists(n, p, vgpus)) {
        String range = vgpus ? "vm0v0 .. vm" + (p.vms() - 1) + "v" + (p.vgpusPerVm() - 1) : "vm0 .. vm" + (p.vms() - 1);
        throw c.bad(path, "names no " + (vgpus ? "vGPU" : "VM") + " '" + n + "' (this fleet has " + range + ")");
      }
      if (!out.add(n)) {
        throw c.bad(path, "names " + n + " twice");
      }
    }
    return out;
  }

  private static boolean exists(String n, GvtFleet.Params p, boolean vgpu) {
    if (!n.startsWith("vm")) {
      return false;
    }
    int v = vgpu ? n.indexOf('v', 2) : n.length();
    if (v < 0) {
      return false;
    }
    int vm = index(n.substring(2, v));
    if (vm < 0 || vm >= p.vms()) {
      return false;
    }
    if (!vgpu) {
      return true;
    }
    int j = index(n.substring(v + 1));
    return j >= 0 && j < p.vgpusPerVm();
  }

  /** A decimal index without sign or leading zeros, or -1. */
  private static int index(String s) {
    if (s.isEmpty() || s.length() > 9 || (s.length() > 1 && s.charAt(0) == '0')) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(s);
  }
}
