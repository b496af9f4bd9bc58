package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lockstat figures of one lock class summed over its instances, as {@code /proc/lock_stat} keeps
 * them (per class, write/plain row and read row, four contention and contending points).
 */
public final class LockClassStats {
  public final LockClass cls;
  public final LockModeStats write = new LockModeStats();
  /** Read side; null unless the class is an rwsem. */
  public final LockModeStats read;
  private int instances;
  private final ContentionPoints contention = new ContentionPoints();
  private final ContentionPoints contending = new ContentionPoints();
  private final Map<String, long[]> waitsWrite = new java.util.TreeMap<>();
  private final Map<String, long[]> waitsRead = new java.util.TreeMap<>();

  private LockClassStats(LockClass cls) {
    this.cls = cls;
    this.read = cls.kind == LockKind.RWSEM ? new LockModeStats() : null;
  }

  public String name() {
    return cls.name;
  }

  public LockKind kind() {
    return cls.kind;
  }

  public int instances() {
    return instances;
  }

  /** Read plus write contentions: lock_stat's sort key ({@code lock_stat_cmp}). */
  public long contentions() {
    return write.contentions() + (read == null ? 0 : read.contentions());
  }

  /** Acquisitions, both modes. */
  public long acquisitions() {
    return write.acquisitions() + (read == null ? 0 : read.acquisitions());
  }

  /** Total wait, both modes (cycles). */
  public long waitTotal() {
    return write.wait.total() + (read == null ? 0 : read.wait.total());
  }

  /** The first {@link ContentionPoints#LOCKSTAT_POINTS} contention points (where waiters were). */
  public List<LockPoint> contentionPoints() {
    return contention.top(ContentionPoints.LOCKSTAT_POINTS);
  }

  /** The first contending points (where the holder had taken the lock). */
  public List<LockPoint> contendingPoints() {
    return contending.top(ContentionPoints.LOCKSTAT_POINTS);
  }

  /** Contended waits per call site and mode (perf lock contention's rows for this class). */
  public List<SiteWait> siteWaits() {
    List<SiteWait> out = new ArrayList<>();
    waitsWrite.forEach((site, e) -> out.add(new SiteWait(site, cls.kind, false, e[0], e[1], e[2], e[3])));
    waitsRead.forEach((site, e) -> out.add(new SiteWait(site, cls.kind, true, e[0], e[1], e[2], e[3])));
    return out;
  }

  private static void mergeWaits(Map<String, long[]> into, SiteWaits from) {
    if (from == null) {
      return;
    }
    from.forEach((site, e) -> {
      long[] t = into.get(site.symbol);
      if (t == null) {
        into.put(site.symbol, e.clone());
      } else {
        t[0] += e[0];
        t[1] += e[1];
        t[2] = Math.max(t[2], e[2]);
        t[3] = Math.min(t[3], e[3]);
      }
    });
  }

  /**
   * Every lock class of {@code model} that has instances, in lock_stat order: contentions
   * descending, then name (the kernel's sort is not stable; the name makes ties deterministic).
   */
  public static List<LockClassStats> of(Model model) {
    Map<LockClass, LockClassStats> by = new LinkedHashMap<>();
    for (SimLock l : model.locks()) {
      LockClassStats s = by.computeIfAbsent(l.cls, LockClassStats::new);
      s.instances += l.instances();
      s.write.merge(l.write);
      if (s.read != null) {
        s.read.merge(l.read);
      }
      if (l.contentionPoints != null) {
        s.contention.merge(l.contentionPoints);
        s.contending.merge(l.contendingPoints);
      }
      mergeWaits(s.waitsWrite, l.waitsWrite);
      mergeWaits(s.waitsRead, l.waitsRead);
    }
    List<LockClassStats> out = new ArrayList<>(by.values());
    out.sort(Comparator.comparingLong(LockClassStats::contentions).reversed().thenComparing(LockClassStats::name));
    return out;
  }
}
