package org.vfiosim.sim;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a laid-out {@link Model} on an Akka ActorSystem with {@code threads} dispatcher threads. */
public final class Engine {

  /**
   * Engine knobs: none of them changes what a complete run computes. {@code limits} says when a run
   * stops early (see {@link TimeKeeper.Limits}).
   */
  public record Settings(int threads, long maxWindowCycles, double parallelEvents, TimeKeeper.Limits limits) {
    public Settings {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1");
      }
    }

    public Settings(int threads, long maxWindowCycles, long endTime) {
      this(threads, maxWindowCycles, TimeKeeper.DEFAULT_PARALLEL_EVENTS, TimeKeeper.Limits.endAt(endTime));
    }
  }

  private Engine() {}

  /**
   * Runs until no event is left (or {@code endTime}). Blocks the calling thread.
   *
   * @param akkaBase configuration holding the {@code akka} section (dispatcher size is overridden)
   */
  public static TimeKeeper.Outcome run(Model model, Settings s, Config akkaBase, TimeKeeper.Progress progress) {
    Config cfg = ConfigFactory.parseMap(Map.of(
            "akka.actor.default-dispatcher.fork-join-executor.parallelism-min", s.threads(),
            "akka.actor.default-dispatcher.fork-join-executor.parallelism-max", s.threads(),
            "akka.actor.default-dispatcher.fork-join-executor.parallelism-factor", 1.0))
        .withFallback(akkaBase)
        .withFallback(ConfigFactory.defaultReference());
    // Initialise logging before Akka starts its logger on another thread (else SLF4J prints a
    // "replayed calls" warning).
    org.slf4j.LoggerFactory.getILoggerFactory();
    CompletableFuture<TimeKeeper.Outcome> done = new CompletableFuture<>();
    ActorSystem<TimeKeeper.Command> system = ActorSystem.create(
        TimeKeeper.create(model, s.maxWindowCycles(), s.parallelEvents(), s.limits(), progress, done), "vfiosim", cfg);
    try {
      return done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // The results are complete; a slow shutdown only delays the exit.
      }
    }
  }
}
