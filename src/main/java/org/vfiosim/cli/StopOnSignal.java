package org.vfiosim.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.vfiosim.sim.StopSignal;

/**
 * Ctrl-C / SIGTERM while a run or a local sweep works: a JVM shutdown hook asks {@link #stop()}
 * to stop at the next window boundary, then waits (up to {@link #WAIT_SECONDS}) until
 * {@link #close()} says the partial results are written; the JVM then exits with the signal's
 * status. Use with try-with-resources around the work and its outputs.
 */
final class StopOnSignal implements AutoCloseable {
  /** How long the shutdown hook waits for partial results to be written. */
  static final long WAIT_SECONDS = 60;

  private final StopSignal stop = new StopSignal();
  private final CountDownLatch written = new CountDownLatch(1);
  private final Thread hook;

  /** {@code install} false: a signal is left to whoever else handles it (a cluster sweep). */
  StopOnSignal(boolean install) {
    if (!install) {
      hook = null;
      return;
    }
    hook = new Thread(() -> {
      stop.request("interrupted by a signal (SIGINT or SIGTERM)");
      try {
        written.await(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "vfiosim-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  StopSignal stop() {
    return stop;
  }

  @Override
  public void close() {
    written.countDown();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down (the hook is running): it exits once it sees the latch
      }
    }
  }
}
