package org.vfiosim.kernel;

import com.typesafe.config.Config;

/**
 * The cost model ({@code conf/costs/*.conf}): cycles of each primitive step the modelled kernel code
 * takes. Results emerge from the modelled paths executed over these; nothing here is a result.
 */
public final class Costs {
  /** A lock kind's costs: uncontended acquire, release, hand-off to the first waiter. */
  public record LockCost(long acquire, long release, long handoff) {}

  public final LockCost mutex;
  public final LockCost rwsem;
  public final LockCost spinlock;
  public final LockCost srcu;
  public final long atomicRmw;
  public final long atomicBounce;
  public final long callEntry;
  public final long crossDomain;
  public final long rbtreeLevel;
  public final long listWalkElement;
  public final long kzalloc;
  public final long kfree;
  public final long gupCall;
  public final long gupPage;
  public final long putPfn;
  public final long account;
  public final long kthreadUseMm;
  public final long kthreadUnuseMm;
  public final long copyCall;
  public final long copyPage;
  public final long memslotLookup;
  public final long dmaMapPage;
  public final long dmaUnmapPage;
  public final long notifierCall;
  public final long iommuMap;
  public final long callIndirect;
  public final long getCycles;

  /** Reads {@code costs.*} of a loaded (and key-checked) cost model. */
  public Costs(Config c) {
    mutex = lock(c, "costs.mutex");
    rwsem = lock(c, "costs.rwsem");
    spinlock = lock(c, "costs.spinlock");
    srcu = new LockCost(get(c, "costs.srcu.acquire"), get(c, "costs.srcu.release"), 0);
    atomicRmw = get(c, "costs.atomic.rmw");
    atomicBounce = get(c, "costs.atomic.bounce");
    callEntry = get(c, "costs.call.entry");
    crossDomain = Math.max(1, get(c, "costs.call.cross-domain"));
    rbtreeLevel = get(c, "costs.rbtree-level");
    listWalkElement = get(c, "costs.list-walk-element");
    kzalloc = get(c, "costs.kzalloc");
    kfree = get(c, "costs.kfree");
    gupCall = get(c, "costs.gup.call");
    gupPage = get(c, "costs.gup.page");
    putPfn = get(c, "costs.put-pfn");
    account = get(c, "costs.account");
    kthreadUseMm = get(c, "costs.kthread-use-mm");
    kthreadUnuseMm = get(c, "costs.kthread-unuse-mm");
    copyCall = get(c, "costs.copy.call");
    copyPage = get(c, "costs.copy.page");
    memslotLookup = get(c, "costs.memslot-lookup");
    dmaMapPage = get(c, "costs.dma-map-page");
    dmaUnmapPage = get(c, "costs.dma-unmap-page");
    notifierCall = get(c, "costs.notifier-call");
    iommuMap = get(c, "costs.iommu-map");
    callIndirect = get(c, "costs.call.indirect");
    getCycles = get(c, "costs.get-cycles");
  }

  private static LockCost lock(Config c, String p) {
    return new LockCost(get(c, p + ".acquire"), get(c, p + ".release"), get(c, p + ".handoff"));
  }

  private static long get(Config c, String path) {
    long v = c.getLong(path);
    if (v < 0) {
      throw new IllegalArgumentException(path + " must not be negative, got " + v);
    }
    return v;
  }

  /** An rb-tree search over {@code n} nodes ({@code depth} levels of a balanced tree). */
  public long rbSearch(int n) {
    return rbtreeLevel * DmaTree.depthOf(n);
  }

  /** copy_to/from_user of {@code bytes}: per call plus per 4 KiB, prorated. */
  public long copy(long bytes) {
    return copyCall + (bytes * copyPage + KernelConstants.PAGE_SIZE - 1) / KernelConstants.PAGE_SIZE;
  }
}
