package org.vfiosim.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.report.RunOutputs;
import org.vfiosim.sweep.SweepPoint;
import org.vfiosim.sweep.SweepRow;

/** What crosses the network between members, and what members must agree on. */
class ClusterMessagesTest {
  static ActorSystem<Void> system;
  static Serialization serialization;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    // A member's ActorSystem with its real configuration; it never joins a cluster.
    system = ClusterSystems.start(Behaviors.empty(),
        ClusterSystems.config(ConfigLoader.home(), "127.0.0.1", 0, List.of()));
    serialization = SerializationExtension.get(Adapter.toClassic(system));
  }

  @AfterAll
  static void stop() {
    ClusterSystems.terminate(system);
  }

  /** Serialises with the serializer Akka picks for the message, and back. */
  static Object roundTrip(Object m) {
    var serializer = serialization.findSerializerFor(m);
    assertThat(serializer.getClass().getSimpleName()).as(m.getClass().getName()).isEqualTo("JacksonCborSerializer");
    byte[] bytes = serialization.serialize(m).get();
    return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, m)).get();
  }

  static SweepPoint point() {
    return new SweepPoint("clients=8,gen=v5.10,seed=3", List.of(new SweepPoint.Param("vfiosim.workload.clients", "8")),
        "v5.10", 3, List.of("vfiosim.workload.iterations=50", "vfiosim.workload.clients=8", "vfiosim.generation=v5.10"));
  }

  @Test
  void every_message_between_members_goes_as_jackson_cbor_and_comes_back_equal() {
    ActorRef<NodeWorker.Command> node = system.systemActorOf(Behaviors.<NodeWorker.Command>empty(), "n",
        akka.actor.typed.Props.empty());
    ActorRef<SweepCoordinator.Command> coordinator = system.systemActorOf(
        Behaviors.<SweepCoordinator.Command>empty(), "c", akka.actor.typed.Props.empty());

    PointJob job = new PointJob("s1", 5, point(), "ab12");
    assertThat(roundTrip(job)).isEqualTo(job);
    Fingerprint fp = new Fingerprint("0.1.0", "c0de", "c0f6");
    SweepCoordinator.Hello hello = new SweepCoordinator.Hello(node, "127.0.0.1:2553", fp, 2);
    assertThat(roundTrip(hello)).isEqualTo(hello);
    NodeWorker.Welcome welcome = new NodeWorker.Welcome("s1", coordinator, "mutex-bench", "vfiosim.scenario = mutex-bench\n");
    assertThat(roundTrip(welcome)).isEqualTo(welcome);
    for (Object m : List.of(new NodeWorker.Rejected("why"), new NodeWorker.Stored("s1", 5),
        new SweepCoordinator.Started("s1", 5, "127.0.0.1:2553"))) {
      assertThat(roundTrip(m)).isEqualTo(m);
    }

    // A row's doubles must come back bit for bit: sweep.csv and the sweep report are built from them.
    double mean = 18899.5 + 1.0 / 3;
    SweepRow row = new SweepRow(point(), "v5.10", 3.0, 0, "quiescent", 123456789L,
        Map.of("mutex_lock", new SweepRow.Op(400, mean, 18900)), Map.of("bench_mutex", new SweepRow.Lock(399, 7_540_000L)));
    byte[] gz = {31, -117, 8, 0, 1, 2, 3};
    SweepCoordinator.PointDone done = new SweepCoordinator.PointDone(node, "127.0.0.1:2553", "s1", 5, row,
        List.of(new SweepCoordinator.OutputFile("results.json", gz)), null, false);
    SweepCoordinator.PointDone back = (SweepCoordinator.PointDone) roundTrip(done);
    assertThat(back.row()).isEqualTo(row);
    assertThat(Double.doubleToRawLongBits(back.row().ops().get("mutex_lock").meanCycles()))
        .isEqualTo(Double.doubleToRawLongBits(mean));
    assertThat(back.node()).isEqualTo(node);
    assertThat(back.files()).hasSize(1);
    assertThat(back.files().get(0).name()).isEqualTo("results.json");
    assertThat(back.files().get(0).gzip()).isEqualTo(gz);
    assertThat(back.error()).isNull();
  }

  record NotAClusterMessage(int x) implements Serializable {}

  @Test
  void java_serialization_is_off() {
    assertThat(serialization.serialize(new NotAClusterMessage(1)).isFailure()).isTrue();
  }

  @Test
  void fingerprints_are_stable_and_name_what_differs() throws IOException {
    Path home = ConfigLoader.home();
    Fingerprint a = Fingerprint.of(home);
    assertThat(Fingerprint.of(home)).isEqualTo(a);
    assertThat(a.code()).hasSize(64);
    assertThat(a.mismatch(a)).isNull();

    // Comments and layout do not count; a changed cost does.
    Path other = dir.resolve("home");
    Files.createDirectories(other.resolve("conf/costs"));
    Files.writeString(other.resolve(ConfigLoader.DEFAULTS), "# a comment\n"
        + Files.readString(home.resolve(ConfigLoader.DEFAULTS)));
    try (var s = Files.list(home.resolve("conf/costs"))) {
      for (Path f : (Iterable<Path>) s::iterator) {
        Files.copy(f, other.resolve("conf/costs").resolve(f.getFileName()));
      }
    }
    assertThat(Fingerprint.of(other)).isEqualTo(a);
    Path costs = other.resolve(ConfigLoader.DEFAULT_COSTS);
    Files.writeString(costs, Files.readString(costs).replaceFirst("handoff = 1200", "handoff = 1300"));
    assertThat(Fingerprint.of(other).config()).isNotEqualTo(a.config());
    assertThat(Fingerprint.of(other).code()).isEqualTo(a.code());

    Fingerprint cfg = new Fingerprint(a.version(), a.code(), "0".repeat(64));
    assertThat(a.mismatch(cfg)).startsWith("configuration differs").contains("000000000000 on the node");
    assertThat(a.mismatch(new Fingerprint(a.version(), "1".repeat(64), a.config())))
        .startsWith("vfiosim build differs");
    assertThat(a.mismatch(new Fingerprint("9.9", a.code(), a.config()))).startsWith("vfiosim version differs");
  }

  @Test
  void shipped_files_are_written_results_json_last_and_a_stale_trace_removed() throws IOException {
    Path out = dir.resolve("p");
    Files.createDirectories(out);
    Files.writeString(out.resolve(RunOutputs.TRACE), "old");
    PointFiles.write(out, List.of(file("lock_stat", "lock_stat version 0.4\n"), file("results.json", "{}\n"),
        file("ops.csv", "op,pages\n")));
    assertThat(Files.readString(out.resolve("lock_stat"))).isEqualTo("lock_stat version 0.4\n");
    assertThat(Files.readString(out.resolve("results.json"))).isEqualTo("{}\n");
    assertThat(Files.readString(out.resolve("ops.csv"))).isEqualTo("op,pages\n");
    assertThat(out.resolve(RunOutputs.TRACE)).doesNotExist();
    assertThatThrownBy(() -> PointFiles.write(out, List.of(file("../x", "")))).hasMessageContaining("bad output file");
  }

  static SweepCoordinator.OutputFile file(String name, String text) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(b)) {
      g.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return new SweepCoordinator.OutputFile(name, b.toByteArray());
  }
}
