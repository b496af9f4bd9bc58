package org.vfiosim.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vfiosim.config.ConfigLoader;

/**
 * The round trip of one message between two of vfiosim's cluster ActorSystems on loopback (Artery
 * TCP, Jackson CBOR, conf/cluster.conf as shipped): what a time keeper spanning JVMs would pay per
 * window and remote shard at the least (a shard's window grant out, its report back). The
 * message is shaped like a window report: a few longs and an array of {@code eot} longs, one per
 * shard. {@code mvn -B -Pbench test-compile exec:exec -Djmh.args="ArteryRoundTrip"}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xss4m"})
public class ArteryRoundTripBench {

  /** A window report: shard, next event time, earliest call, and per-shard reply horizons. */
  public record Window(ActorRef<Window> replyTo, int shard, long nextTime, long callEot, long[] replyEot)
      implements ClusterMessage {}

  static Behavior<Window> echo() {
    return Behaviors.receive(Window.class)
        .onMessage(Window.class, w -> {
          w.replyTo().tell(new Window(null, w.shard(), w.nextTime() + 1, w.callEot(), w.replyEot()));
          return Behaviors.same();
        })
        .build();
  }

  @State(Scope.Benchmark)
  public static class Pair {
    /** Length of the per-shard array carried by each message. */
    @Param({"4", "64"})
    public int shards;

    ActorSystem<Window> a;
    ActorSystem<Window> b;
    ActorRef<Window> remoteEcho;
    long[] eot;

    @Setup(Level.Trial)
    public void setUp() {
      var home = ConfigLoader.home();
      a = ClusterSystems.start(Behaviors.ignore(), ClusterSystems.config(home, "127.0.0.1", 0, List.of()));
      b = ClusterSystems.start(echo(), ClusterSystems.config(home, "127.0.0.1", 0, List.of()));
      String path = ActorRefResolver.get(b).toSerializationFormat(b);
      remoteEcho = ActorRefResolver.get(a).resolveActorRef(path);
      eot = new long[shards];
      for (int i = 0; i < shards; i++) {
        eot[i] = 1_000_000L * i;
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      ClusterSystems.terminate(a);
      ClusterSystems.terminate(b);
    }
  }

  @Benchmark
  public Window roundTrip(Pair p) throws Exception {
    return AskPattern.<Window, Window>ask(p.remoteEcho, r -> new Window(r, 3, 42, 43, p.eot), Duration.ofSeconds(5),
        p.a.scheduler()).toCompletableFuture().get();
  }
}
