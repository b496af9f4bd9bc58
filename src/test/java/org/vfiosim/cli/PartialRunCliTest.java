package org.vfiosim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that end early, through the CLI: an injected actor crash, the wall-clock limit, SIGTERM.
 * Each writes every output with "complete": false, says why in one line, exits non-zero, and shows
 * the user no stack trace. (The timeouts only keep a hang from blocking the build.)
 */
class PartialRunCliTest {
  @TempDir
  Path dir;

  private static JsonNode results(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("results.json").toFile());
  }

  private static void assertAllOutputs(Path out) {
    for (String f : new String[] {"results.json", "lock_stat", "perf-lock.txt", "ops.csv", "report.html"}) {
      assertThat(out.resolve(f)).isRegularFile();
    }
  }

  @Test
  @Timeout(120)
  void an_actor_crash_stops_the_run_with_partial_results_and_a_bug_finding() throws IOException {
    Path out = dir.resolve("crash");
    CliTest.Result r = CliTest.cli("run", "conf/scenarios/faults-actor-crash.conf", "--out", out.toString(),
        "--no-progress");
    assertThat(r.status()).isEqualTo(1);
    assertAllOutputs(out);
    JsonNode j = results(out);
    assertThat(j.get("complete").asBoolean()).isFalse();
    assertThat(j.get("status").asText())
        .isEqualTo("failed: injected actor crash in vm3v0/kvmgt (vfiosim.faults.actor-crash)");
    // stopped at the crash (20 ms), long before the scenario's 100 ms and its shutdown
    assertThat(j.get("virtual_time_cycles").asLong()).isBetween(60_000_000L, 90_000_000L);
    JsonNode f = j.get("findings").get(0);
    assertThat(f.get("kind").asText()).isEqualTo("BUG");
    assertThat(f.get("vm").asText()).isEqualTo("vm3");
    assertThat(f.get("where").asText()).startsWith("vm3v0/kvmgt/");
    assertThat(f.get("message").asText()).startsWith("actor vm3v0/kvmgt threw while handling ")
        .contains("(injected fault)");
    assertThat(r.out()).contains("RUN INCOMPLETE").contains("BUG");
    assertThat(r.err().trim().lines()).hasSize(1);
    assertThat(r.err()).startsWith("vfiosim: run failed: injected actor crash in vm3v0/kvmgt")
        .contains("\"complete\": false").contains("error.log");
    assertThat(r.err() + r.out()).doesNotContain("\tat ");
    assertThat(Files.readString(out.resolve("error.log"))).contains("ActorCrash").contains("\tat ");
  }

  @Test
  @Timeout(120)
  void the_crash_finding_is_the_same_for_any_number_of_threads() throws IOException {
    Path one = dir.resolve("one");
    Path two = dir.resolve("two");
    CliTest.cli("run", "conf/scenarios/faults-actor-crash.conf", "--out", one.toString(), "--threads", "1",
        "--no-progress");
    CliTest.cli("run", "conf/scenarios/faults-actor-crash.conf", "--out", two.toString(), "--threads", "2",
        "--no-progress");
    assertThat(results(two).get("findings").get(0)).isEqualTo(results(one).get("findings").get(0));
  }

  @Test
  @Timeout(120)
  void the_wall_clock_limit_stops_a_long_run_with_partial_results() throws IOException {
    Path out = dir.resolve("wall");
    // 64 clients x 10^8 iterations: billions of lock grants, far beyond one second on any machine
    CliTest.Result r = CliTest.cli("run", "conf/scenarios/mutex-bench.conf", "--set",
        "vfiosim.workload.iterations=100000000", "--set", "vfiosim.limits.wall-seconds=1", "--out", out.toString(),
        "--no-progress");
    assertThat(r.status()).isEqualTo(1);
    assertAllOutputs(out);
    JsonNode j = results(out);
    assertThat(j.get("complete").asBoolean()).isFalse();
    assertThat(j.get("status").asText())
        .isEqualTo("stopped: wall-clock limit of 1 s reached (vfiosim.limits.wall-seconds)");
    assertThat(j.get("events").asLong()).isPositive();
    assertThat(j.get("findings")).isEmpty();
    assertThat(j.get("invariants").get("checked").asInt()).isZero();
    assertThat(r.err().trim()).isEqualTo("vfiosim: run stopped: wall-clock limit of 1 s reached"
        + " (vfiosim.limits.wall-seconds); partial results (\"complete\": false) in " + out);
    assertThat(out.resolve("error.log")).doesNotExist();
  }

  @Test
  void a_bad_limit_stops_a_sweep_before_any_point_runs() {
    Path out = dir.resolve("sweep");
    CliTest.Result r = CliTest.cli("sweep", "conf/scenarios/mutex-bench.conf", "--param",
        "vfiosim.limits.hung-task-ms=1,-1", "--set", "vfiosim.workload.iterations=10", "--out", out.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("vfiosim.limits.hung-task-ms must be between 0 and").doesNotContain("\tat ");
    assertThat(out).doesNotExist();
  }

  @Test
  @Timeout(180)
  void sigterm_writes_partial_results_before_the_jvm_exits() throws Exception {
    Path out = dir.resolve("term");
    Path log = dir.resolve("term.err");
    Process p = start(log, "run", "conf/scenarios/mutex-bench.conf", "--set", "vfiosim.workload.iterations=100000000",
        "--out", out.toString());
    // the simulation runs (and the hook is in place) once the progress line shows
    awaitText(p, log, "[vfiosim] ");
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isEqualTo(143);
    assertAllOutputs(out);
    JsonNode j = results(out);
    assertThat(j.get("complete").asBoolean()).isFalse();
    assertThat(j.get("status").asText()).isEqualTo("stopped: interrupted by a signal (SIGINT or SIGTERM)");
    assertThat(text).contains("vfiosim: run stopped: interrupted by a signal").doesNotContain("\tat ");
  }

  @Test
  @Timeout(180)
  void sigterm_on_a_sweep_writes_the_running_point_as_partial_and_the_sweep_files() throws Exception {
    Path out = dir.resolve("sweep-term");
    Path log = dir.resolve("sweep-term.out");
    Process p = start(log, "sweep", "conf/scenarios/mutex-bench.conf", "--param",
        "vfiosim.workload.iterations=1000,100000000,2000", "--out", out.toString());
    // the first (short) point is done: the second, which would take minutes, runs
    awaitText(p, log, "[vfiosim sweep] 1/3");
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isEqualTo(143);
    assertThat(text).contains("sweep stopped (interrupted by a signal (SIGINT or SIGTERM)) after 2 of 3 point(s)")
        .doesNotContain("\tat ");
    // two points: the first complete, the second partial; the sweep's own files cover both
    List<Path> pts;
    try (var st = Files.list(out.resolve("points"))) {
      pts = st.sorted().toList();
    }
    assertThat(pts).hasSize(2);
    int partial = 0;
    for (Path pt : pts) {
      assertAllOutputs(pt);
      JsonNode j = results(pt);
      if (!j.get("complete").asBoolean()) {
        partial++;
        assertThat(j.get("status").asText()).isEqualTo("stopped: interrupted by a signal (SIGINT or SIGTERM)");
      }
    }
    assertThat(partial).isEqualTo(1);
    List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
    assertThat(csv).hasSize(3); // header and the two points
    assertThat(out.resolve("report.html")).exists();
  }

  /** Waits (up to 90 s) until the process has written {@code text} to its log. */
  /** {@code vfiosim ARGS} in a separate JVM, stdout and stderr into {@code log}. */
  private static Process start(Path log, String... args) throws IOException {
    return new ProcessBuilder(CliTest.javaMain(List.of(), args)).directory(new File(".").getAbsoluteFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void awaitText(Process p, Path log, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
      assertThat(p.isAlive()).as(Files.readString(log, StandardCharsets.UTF_8)).isTrue();
      assertThat(System.nanoTime() - deadline).as("waiting for \"" + text + "\"").isNegative();
      p.waitFor(100, TimeUnit.MILLISECONDS);
    }
  }
}
