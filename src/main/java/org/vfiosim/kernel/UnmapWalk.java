package org.vfiosim.kernel;

import static org.vfiosim.kernel.KernelConstants.UNMAP_NOTIFY_RETRIES_MAX;

/**
 * One {@code vfio_dma_do_unmap()} from the {@code again:} label on, as a pure step machine. The
 * owner calls {@link #step()} with {@code iommu->lock} held until it returns {@link Done} or {@link
 * Bug}:
 *
 * <ul>
 *   <li>{@link Notify}: drop the lock, call the DMA_UNMAP chain with {@code {iova, size}} of the
 *       whole dma, retake the lock, call {@code step()} again (which re-runs the v2 checks).
 *   <li>{@link Removed}: the dma was removed ({@code unmapped += size}, {@code vfio_remove_dma}); an
 *       IOMMU-mapped dma's pages are for the owner to unmap/unpin. Call {@code step()} again.
 *   <li>{@link Done}: 0 with the bytes unmapped, or -EINVAL from a v2 bisect check.
 *   <li>{@link Bug}: {@code BUG_ON(++retries > 10)} fired: 11 chain calls for the same dma did not
 *       empty its pfn_list. The kernel oopses with {@code iommu->lock} held, so the container is dead.
 * </ul>
 */
public final class UnmapWalk {
  /** What the owner must do next. */
  public sealed interface Step permits Notify, Removed, Done, Bug {}

  /** Call the notifier chain for the whole dma with the lock dropped. */
  public record Notify(VfioDma dma, long iova, long size) implements Step {}

  /** The dma was unlinked and freed (dma_avail restored). */
  public record Removed(VfioDma dma) implements Step {}

  /** The walk ended: {@code ret} is 0 or -EINVAL; {@code unmapped} is {@code unmap->size}. */
  public record Done(int ret, long unmapped) implements Step {}

  /** BUG() in the retry loop on this dma. */
  public record Bug(VfioDma dma) implements Step {}

  private final Type1Iommu iommu;
  private final long iova;
  private final long size;
  private final MmState current;
  private boolean recheck = true;
  private boolean finished;
  private VfioDma dmaLast;
  private int retries;
  private long unmapped;

  UnmapWalk(Type1Iommu iommu, long iova, long size, MmState current) {
    this.iommu = iommu;
    this.iova = iova;
    this.size = size;
    this.current = current;
  }

  /** Bytes unmapped so far. */
  public long unmapped() {
    return unmapped;
  }

  /** Consecutive retries on the current dma ({@code retries} in the kernel). */
  public int retries() {
    return retries;
  }

  /** Runs the loop until the next thing the owner must do. */
  public Step step() {
    if (finished) {
      throw new IllegalStateException("unmap walk already finished");
    }
    if (recheck) { // again:
      recheck = false;
      int ret = iommu.unmapBisectCheck(iova, size);
      if (ret != 0) {
        return finish(ret);
      }
    }
    VfioDma dma = iommu.dmaList().find(iova, size);
    if (dma == null) {
      return finish(0);
    }
    // v1: user mappings were coalesced, so stop at a dma that starts before the request
    if (!iommu.v2() && Long.compareUnsigned(iova, dma.iova()) > 0) {
      return finish(0);
    }
    // only a task with the same address space as the mapper may unmap: else break, not an error
    if (dma.task() != current || !current.alive()) {
      return finish(0);
    }
    if (!dma.pfnListEmpty()) {
      if (dmaLast == dma) {
        if (++retries > UNMAP_NOTIFY_RETRIES_MAX) {
          finished = true;
          iommu.markBug();
          iommu.setUnmapped(0);
          return new Bug(dma);
        }
      } else {
        dmaLast = dma;
        retries = 0;
      }
      iommu.countNotifierCall();
      recheck = true; // mutex_unlock; blocking_notifier_call_chain; mutex_lock; goto again
      return new Notify(dma, dma.iova(), dma.size());
    }
    unmapped += dma.size();
    iommu.removeDma(dma);
    return new Removed(dma);
  }

  private Done finish(int ret) {
    finished = true;
    // unmap->size = unmapped; the ioctl copies it back only on success
    iommu.setUnmapped(ret == 0 ? unmapped : 0);
    return new Done(ret, unmapped);
  }
}
