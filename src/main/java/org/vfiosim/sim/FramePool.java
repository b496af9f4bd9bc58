package org.vfiosim.sim;

import java.util.function.Supplier;

/**
 * A free list of frames of one kind, so that a hot kernel function does not allocate a frame per
 * call. It belongs to one actor: an actor's frames only ever run on its own shard (calls from other
 * shards run there on proxies), so the list needs no synchronisation.
 *
 * <p>Use: the actor takes a frame with {@link #take} and sets every field of it in an {@code init}
 * method; the frame's {@link Frame#recycle} clears its references and hands it back with {@link
 * #give}. A frame is given back only after it returned, so nothing can still use it.
 */
public final class FramePool<F extends Frame> {
  private final Supplier<F> make;
  private Frame free;
  private int size;

  /** A pool that makes a new frame with {@code make} when it is empty. */
  public FramePool(Supplier<F> make) {
    this.make = make;
  }

  /** A frame reset for a new call ({@link Frame#reset}); its own fields are the caller's to set. */
  @SuppressWarnings("unchecked")
  public F take() {
    Frame f = free;
    if (f == null) {
      return make.get();
    }
    free = f.nextFree;
    f.nextFree = null;
    f.pooled = false;
    size--;
    f.reset();
    return (F) f;
  }

  /** Hands back a frame that returned; giving one twice is a model bug. */
  public void give(F f) {
    if (f.pooled) {
      throw new SimulationError(f.getClass().getSimpleName() + " given back to its pool twice");
    }
    f.pooled = true;
    f.nextFree = free;
    free = f;
    size++;
  }

  /** Frames in the pool now. */
  public int size() {
    return size;
  }
}
