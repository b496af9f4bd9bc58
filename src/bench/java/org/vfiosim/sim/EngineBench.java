package org.vfiosim.sim;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.run.RunSettings;
import org.vfiosim.workload.MutexBench;
import org.vfiosim.workload.Scenario;
import org.vfiosim.workload.Scenarios;

/**
 * The engine's hot path on one shard, without Akka (what a shard does inside a window):
 * <ul>
 *   <li>{@code eventHeap}: push and pop of the primitive 4-ary event heap, per event;
 *   <li>{@code mutexHandoff}: mutex-bench's FIFO hand-offs (64 clients on one mutex), per
 *       acquisition: run-ahead, lock grant, statistics, scheduling;
 *   <li>{@code fleet}: the default gvt-fleet scenario (8 VMs, v5.10, 50 ms of virtual time), per
 *       simulated event: the kernel model's frames, messages, locks and op statistics.
 * </ul>
 * Results are throughput per operation = per event; {@code mvn -B -Pbench test-compile exec:exec}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-XX:+UseCondCardMark", "-Xss4m", "-Xmn512m"})
public class EngineBench {

  /** Heap of 4096 pending events; each operation pops the earliest and pushes one later. */
  @State(Scope.Thread)
  public static class Heap {
    static final int SIZE = 4096;
    EventHeap heap;
    SimThread[] threads;
    long[] gaps;
    long now;
    int i;

    @Setup(Level.Trial)
    public void setUp() {
      Model m = new Model(1);
      Domain d = m.domain("d");
      threads = new SimThread[SIZE];
      heap = new EventHeap();
      SplittableRandom r = new SplittableRandom(1);
      gaps = new long[1 << 16];
      for (int k = 0; k < gaps.length; k++) {
        gaps[k] = 1 + r.nextInt(10_000);
      }
      for (int k = 0; k < SIZE; k++) {
        threads[k] = new SimThread(k, "t" + k, d, false);
        heap.push(gaps[k], Keys.of(k, 1), threads[k]);
      }
    }
  }

  @Benchmark
  public SimThread eventHeap(Heap h) {
    long t = h.heap.peekTime();
    SimThread s = h.heap.pop();
    int k = h.i++ & (h.gaps.length - 1);
    h.heap.push(t + h.gaps[k], Keys.of(s.id, k + 2), s);
    return s;
  }

  static final int CLIENTS = 64;
  static final int ITERATIONS = 2_000;

  /** A fresh mutex-bench model per invocation (64 clients x 2000 acquisitions, one shard). */
  @State(Scope.Thread)
  public static class Mutex {
    Model m;

    @Setup(Level.Invocation)
    public void setUp() {
      m = new Model(1);
      MutexBench.build(m, new MutexBench.Params(CLIENTS, ITERATIONS, 300, 0, 1));
      m.layout(1);
    }
  }

  @Benchmark
  @OperationsPerInvocation(CLIENTS * ITERATIONS)
  public long mutexHandoff(Mutex s) {
    s.m.shards()[0].runUntil(Long.MAX_VALUE);
    return s.m.events();
  }

  /** Events of one {@link #fleet} run (measured once, so that throughput is per event). */
  static final int FLEET_EVENTS = 408_816;

  /** A fresh default fleet (8 VMs, 50 ms) per invocation, laid out on one shard. */
  @State(Scope.Thread)
  public static class Fleet {
    Model m;

    @Setup(Level.Invocation)
    public void setUp() {
      ConfigLoader.Loaded l = ConfigLoader.load(Path.of("."), Path.of("conf/scenarios/gvt-fleet.conf"),
          List.of("vfiosim.fleet.duration-ms=50"), null);
      Scenario sc = Scenarios.build(RunSettings.of(l));
      sc.layout(1);
      m = sc.model();
    }
  }

  @Benchmark
  @OperationsPerInvocation(FLEET_EVENTS)
  public long fleet(Fleet s) {
    s.m.shards()[0].runUntil(Long.MAX_VALUE);
    long events = s.m.events();
    if (events != FLEET_EVENTS) {
      throw new IllegalStateException("the fleet now makes " + events + " events per run; update FLEET_EVENTS");
    }
    return events;
  }
}
