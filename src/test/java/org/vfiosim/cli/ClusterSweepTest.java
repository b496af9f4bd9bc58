package org.vfiosim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.cli.CliTest.cli;

import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiosim.cluster.ClusterNode;
import org.vfiosim.cluster.ClusterSystems;
import org.vfiosim.cluster.ClusterSystems.HostPort;
import org.vfiosim.config.ConfigLoader;

/**
 * {@code vfiosim sweep --cluster} end to end: members on loopback, ports picked free at run time.
 * A sweep across the cluster must write what the local sweep writes (results.json outside
 * {@code host}, lock_stat, perf-lock.txt, ops.csv, sweep.csv), and lose no point when a node
 * goes away in the middle of it.
 */
class ClusterSweepTest {
  static final String SCENARIO = "conf/scenarios/mutex-bench.conf";
  /**
   * Four points of 1.6 M and 3.2 M lock grants, each a few tenths of a second with its ActorSystem:
   * a node removed while it runs one cannot have run them all.
   */
  static final String[] SWEEP = {"sweep", SCENARIO, "--param", "vfiosim.workload.clients=16,32",
    "--param", "vfiosim.workload.hold-cycles=100,300", "--set", "vfiosim.workload.iterations=100000"};
  static final int POINTS = 4;
  /** Fast failure detection and downing, for the members this JVM starts (and the node it forks). */
  static final Map<String, String> FAST = Map.of(
      "akka.cluster.failure-detector.heartbeat-interval", "200ms",
      "akka.cluster.failure-detector.acceptable-heartbeat-pause", "1s",
      "vfiosim-cluster.down-unreachable-after", "1s",
      "vfiosim-cluster.result-resend-interval", "1s");
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  static Path dir;

  static Path local;

  @BeforeAll
  static void localSweepAndFastFailureDetection() {
    FAST.forEach(System::setProperty);
    ConfigFactory.invalidateCaches();
    local = dir.resolve("local");
    CliTest.Result r = cli(with(SWEEP, "--threads", "1", "--out", local.toString()));
    assertThat(r.status()).as(r.err()).isZero();
  }

  @AfterAll
  static void restoreProperties() {
    FAST.keySet().forEach(System::clearProperty);
    ConfigFactory.invalidateCaches();
  }

  @Test
  void sweep_across_three_members_equals_local_sweep_and_a_node_removed_mid_sweep_loses_nothing() throws Exception {
    Path home = ConfigLoader.home();
    int p1 = freePort();
    int pc = freePort();
    int p2 = freePort();
    BlockingQueue<String> log1 = new LinkedBlockingQueue<>();
    BlockingQueue<String> log2 = new LinkedBlockingQueue<>();
    BlockingQueue<String> logBad = new LinkedBlockingQueue<>();
    ClusterNode w1 = ClusterNode.start(home, "127.0.0.1", p1, List.of(), 1, WAIT, log1::add);
    ClusterNode w2 = null;
    // A node whose defaults differ (cpu-ghz) from the coordinator's: rejected, it exits 2.
    Path badHome = dir.resolve("bad-home");
    copyConf(home, badHome, "cpu-ghz = 3.0", "cpu-ghz = 2.5");
    ClusterNode bad = ClusterNode.start(badHome, "127.0.0.1", 0, List.of(new HostPort("127.0.0.1", p1)), 1, WAIT,
        logBad::add);
    try {
      Path out = dir.resolve("three");
      CompletableFuture<CliTest.Result> sweep = CompletableFuture.supplyAsync(() -> cli(with(SWEEP, "--out",
          out.toString(), "--cluster", "127.0.0.1:" + p1, "--port", Integer.toString(pc))));

      assertThat(bad.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(String.join("\n", logBad)).contains("rejected by the sweep coordinator: configuration differs");

      // The first node is removed from the cluster while it runs a point (as the others do to a
      // node unreachable for too long); a second node joins and must run what the first had.
      awaitLine(log1, ": running ");
      Cluster.get(w1.system()).manager().tell(new Down(ClusterSystems.selfAddress(w1.system())));
      w2 = ClusterNode.start(home, "127.0.0.1", p2, List.of(new HostPort("127.0.0.1", pc)), 1, WAIT, log2::add);

      CliTest.Result r = sweep.get(2 * WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.status()).as(r.err()).isZero();
      assertThat(w1.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("node 1 was removed").isEqualTo(1);
      assertThat(r.err()).contains("node 127.0.0.1:" + p1 + " joined")
          .contains("node 127.0.0.1:" + p2 + " joined")
          .contains("rejected: configuration differs")
          .contains(POINTS + "/" + POINTS + " done, 0 in flight");
      // Work pulling hands node 1's unconfirmed point to node 2 on its own; the coordinator's
      // "left" line comes from its death watch, which can arrive after the last point is in and
      // the coordinator has stopped. Either way node 2 ran a point node 1 did not finish.
      assertThat(r.err()).containsPattern("node 127\\.0\\.0\\.1:" + p1 + " left|results by node: .*127\\.0\\.0\\.1:"
          + p2 + " [1-9]");
      assertThat(String.join("\n", log2)).as("node 2 ran what node 1 left").contains(": running ");
      assertSameOutputs(local, out);
    } finally {
      w1.leave();
      bad.leave();
      if (w2 != null) {
        w2.leave();
      }
    }
  }

  @Test
  void a_separate_jvm_node_runs_a_sweep_and_when_killed_its_points_go_to_another_node() throws Exception {
    int pa = freePort();
    int pc = freePort();
    List<String> opts = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-Xmx512m"));
    FAST.forEach((k, v) -> opts.add("-D" + k + "=" + v));
    opts.add("-Dvfiosim.home=" + ConfigLoader.home());
    List<String> cmd = CliTest.javaMain(opts, "node", "--port", Integer.toString(pa), "--threads", "1");
    Process jvm = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    BlockingQueue<String> jvmLog = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(jvm.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          jvmLog.add(line);
        }
      } catch (IOException e) {
        // the process died: what it printed is in jvmLog
      }
    }, "jvm-node-stderr");
    reader.setDaemon(true);
    reader.start();
    ClusterNode local2 = null;
    try {
      awaitLine(jvmLog, ": up in the cluster");
      Path out = dir.resolve("jvm");
      CompletableFuture<CliTest.Result> sweep = CompletableFuture.supplyAsync(() -> cli(with(SWEEP, "--out",
          out.toString(), "--cluster", "127.0.0.1:" + pa, "--port", Integer.toString(pc))));
      // The separate JVM runs the first points; kill -9 it in the middle of its second one.
      awaitLine(jvmLog, ": running ");
      awaitLine(jvmLog, ": running ");
      jvm.destroyForcibly();
      assertThat(jvm.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      BlockingQueue<String> log2 = new LinkedBlockingQueue<>();
      local2 = ClusterNode.start(ConfigLoader.home(), "127.0.0.1", 0, List.of(new HostPort("127.0.0.1", pc)), 1, WAIT,
          log2::add);

      CliTest.Result r = sweep.get(2 * WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.status()).as(r.err()).isZero();
      assertThat(r.err()).contains("exit 0 on 127.0.0.1:" + pa).contains("node 127.0.0.1:" + pa + " left")
          .containsPattern("results by node: 127\\.0\\.0\\.1:" + pa + " \\d, 127\\.0\\.0\\.1:\\d+ \\d; [01] point")
          .contains(POINTS + "/" + POINTS + " done, 0 in flight");
      assertThat(String.join("\n", log2)).as("the second node ran what the killed one left").contains(": running ");
      assertSameOutputs(local, out);
    } finally {
      jvm.destroyForcibly();
      if (local2 != null) {
        local2.leave();
      }
    }
  }

  @Test
  void no_seed_answering_within_the_join_timeout_or_a_port_in_use_is_exit_2_with_one_line() throws IOException {
    int nobody = freePort();
    CliTest.Result r = cli(with(SWEEP, "--out", dir.resolve("none").toString(), "--cluster",
        "127.0.0.1:" + nobody, "--join-timeout", "2"));
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("vfiosim: cannot join the cluster through 127.0.0.1:" + nobody + " within 2 s")
        .doesNotContain("Exception");
    assertThat(dir.resolve("none")).doesNotExist();

    CliTest.Result n = cli("node", "--port", "0", "--seed-node", "127.0.0.1:" + nobody, "--join-timeout", "2");
    assertThat(n.status()).isEqualTo(2);
    assertThat(n.err()).contains("vfiosim: cannot join the cluster through 127.0.0.1:" + nobody + " within 2 s");

    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      CliTest.Result b = cli("node", "--port", Integer.toString(taken.getLocalPort()), "--join-timeout", "2");
      assertThat(b.status()).isEqualTo(2);
      assertThat(b.err()).startsWith("vfiosim: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
          .doesNotContain("Exception");
    }
  }

  @Test
  void bad_cluster_flags_are_exit_2_with_one_line() {
    String[][] cases = {
      {"--cluster", "localhost"}, {"expected HOST:PORT, got 'localhost'"},
      {"--cluster", "127.0.0.1:70000"}, {"port must be between 1 and 65535, got 70000"},
      {"--cluster", "127.0.0.1:2552,"}, {"expected HOST:PORT, got ''"},
      {"--port", "2552"}, {"--port needs --cluster HOST:PORT"},
      {"--cluster", "127.0.0.1:2552", "--port", "x"}, {"--port x: port must be a number, got 'x'"},
      {"--cluster", "127.0.0.1:2552", "--join-timeout", "0"}, {"--join-timeout must be at least 1 second"},
      {"--cluster", "127.0.0.1:2552", "--threads", "2"}, {"--threads is each node's own with --cluster"},
    };
    for (int i = 0; i < cases.length; i += 2) {
      CliTest.Result r = cli(with(SWEEP, cases[i]));
      assertThat(r.status()).as(String.join(" ", cases[i])).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", cases[i])).startsWith("vfiosim: ").contains(cases[i + 1][0])
          .doesNotContain("Exception");
      assertThat(r.err().strip().lines()).hasSize(1);
    }
    CliTest.Result n = cli("node", "--port", "2552", "--seed-node", "somewhere");
    assertThat(n.status()).isEqualTo(2);
    assertThat(n.err()).contains("--seed-node somewhere: expected HOST:PORT");
  }

  /** What a local sweep writes equals what the cluster's coordinator wrote (results.json outside host). */
  static void assertSameOutputs(Path expected, Path actual) throws IOException {
    assertThat(Files.readString(actual.resolve("sweep.csv"))).isEqualTo(Files.readString(expected.resolve("sweep.csv")));
    List<String> names;
    try (Stream<Path> s = Files.list(expected.resolve("points"))) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(names).hasSize(POINTS);
    try (Stream<Path> s = Files.list(actual.resolve("points"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(names);
    }
    for (String n : names) {
      Path e = expected.resolve("points").resolve(n);
      Path a = actual.resolve("points").resolve(n);
      assertThat(CliTest.withoutHost(a.resolve("results.json"))).as(n).isEqualTo(CliTest.withoutHost(e.resolve("results.json")));
      for (String f : new String[] {"lock_stat", "perf-lock.txt", "ops.csv"}) {
        assertThat(Files.readString(a.resolve(f))).as(n + "/" + f).isEqualTo(Files.readString(e.resolve(f)));
      }
      assertThat(a.resolve("report.html")).isRegularFile();
    }
    // The sweep's report is a function of the rows alone: the same page.
    assertThat(Files.readString(actual.resolve("report.html"))).contains("<h1>vfiosim sweep: mutex-bench</h1>")
        .isEqualTo(Files.readString(expected.resolve("report.html")));
  }

  static String awaitLine(BlockingQueue<String> lines, String containing) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      String l = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (l == null) {
        break;
      }
      seen.add(l);
      if (l.contains(containing)) {
        return l;
      }
    }
    throw new AssertionError("no line containing '" + containing + "' within " + WAIT.toSeconds() + " s; saw: " + seen);
  }

  static String[] with(String[] base, String... more) {
    String[] a = new String[base.length + more.length];
    System.arraycopy(base, 0, a, 0, base.length);
    System.arraycopy(more, 0, a, base.length, more.length);
    return a;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A copy of home's conf/ with one replacement in conf/application.conf. */
  static void copyConf(Path home, Path to, String from, String replacement) throws IOException {
    try (Stream<Path> s = Files.walk(home.resolve("conf"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(home.relativize(p));
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Path app = to.resolve(ConfigLoader.DEFAULTS);
    String text = Files.readString(app);
    assertThat(text).contains(from);
    Files.writeString(app, text.replace(from, replacement));
  }
}
