package org.vfiosim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CLI contract: exit statuses, one-line errors, the four output files, determinism. */
class CliTest {
  @TempDir
  Path dir;

  record Result(int status, String out, String err) {}

  /** The command line of {@code vfiosim ARGS} in a separate JVM with this test's class path. */
  static java.util.List<String> javaMain(java.util.List<String> jvmOptions, String... args) {
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), "org.vfiosim.cli.Main"));
    cmd.addAll(java.util.List.of(args));
    return cmd;
  }

  static Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(status, out.toString(), err.toString());
  }

  @Test
  void run_writes_every_output_and_exits_0() throws IOException {
    Path out = dir.resolve("o");
    Result r = cli("run", "conf/scenarios/mutex-bench.conf", "--set", "vfiosim.workload.clients=8",
        "--set", "vfiosim.workload.iterations=50", "--seed", "7", "--threads", "2", "--out", out.toString(),
        "--no-progress");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("bench_mutex").contains("mutex_lock").contains("findings: none");
    for (String f : new String[] {"results.json", "lock_stat", "perf-lock.txt", "ops.csv", "report.html"}) {
      assertThat(out.resolve(f)).isRegularFile();
    }
    JsonNode j = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(j.get("schema").asText()).isEqualTo("vfiosim/results/v1");
    assertThat(j.get("scenario").asText()).isEqualTo("mutex-bench");
    assertThat(j.get("seed").asLong()).isEqualTo(7);
    assertThat(j.get("generation").asText()).isEqualTo("v5.10");
    assertThat(j.get("cpu_ghz").asDouble()).isEqualTo(3.0);
    assertThat(j.get("config").get("vfiosim").get("workload").get("clients").asInt()).isEqualTo(8);
    assertThat(j.get("virtual_time_cycles").asLong()).isEqualTo(50L * 8 * 300);
    assertThat(j.get("events").asLong()).isEqualTo(400);
    JsonNode op = j.get("ops").get("mutex_lock");
    assertThat(op.get("count").asLong()).isEqualTo(400);
    assertThat(op.get("mean_cycles").asDouble()).isEqualTo((7 * 150 + 49 * (8 * 300 - 300)) / 50.0);
    JsonNode lock = j.get("locks").get("bench_mutex");
    assertThat(lock.get("kind").asText()).isEqualTo("mutex");
    assertThat(lock.get("acquisitions").asLong()).isEqualTo(400);
    assertThat(lock.get("contentions").asLong()).isEqualTo(399);
    assertThat(lock.get("hold_total_cycles").asLong()).isEqualTo(400L * 300);
    assertThat(j.get("invariants").get("violations")).isEmpty();
    assertThat(j.get("findings")).isEmpty();
    assertThat(j.get("host").get("threads").asInt()).isEqualTo(2);
    assertThat(Files.readString(out.resolve("lock_stat"))).startsWith("lock_stat version 0.4\n");
    assertThat(Files.readString(out.resolve("ops.csv"))).startsWith("op,pages,count,");
  }

  @Test
  void results_are_byte_identical_across_thread_counts() throws IOException {
    String reference = null;
    for (int threads : new int[] {1, 2, 4}) {
      Path out = dir.resolve("t" + threads);
      Result r = cli("run", "conf/scenarios/mutex-bench.conf", "--set", "vfiosim.workload.clients=96",
          "--set", "vfiosim.workload.iterations=300", "--set", "vfiosim.workload.mutexes=12",
          "--set", "vfiosim.workload.think-cycles=500", "--set", "vfiosim.engine.max-window-cycles=40000",
          "--threads", Integer.toString(threads), "--out", out.toString(), "--no-progress");
      assertThat(r.status()).as(r.err()).isZero();
      String text = withoutHost(out.resolve("results.json"));
      if (reference == null) {
        reference = text;
      } else {
        assertThat(text).as("threads %d", threads).isEqualTo(reference);
      }
      assertThat(Files.readString(out.resolve("lock_stat"))).isEqualTo(Files.readString(dir.resolve("t1/lock_stat")));
    }
  }

  /** results.json with its host section removed, re-serialised in its original key order. */
  static String withoutHost(Path results) throws IOException {
    ObjectMapper m = new ObjectMapper();
    ObjectNode n = (ObjectNode) m.readTree(results.toFile());
    assertThat(n.has("host")).isTrue();
    n.remove("host");
    return m.writerWithDefaultPrettyPrinter().writeValueAsString(n);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "unknown key            | run conf/scenarios/mutex-bench.conf --set vfiosim.workload.clientz=3                | unknown key 'vfiosim.workload.clientz'",
    "wrong type             | run conf/scenarios/mutex-bench.conf --set vfiosim.workload.clients=abc              | vfiosim.workload.clients must be a number",
    "negative count         | run conf/scenarios/mutex-bench.conf --set vfiosim.workload.clients=-3               | vfiosim.workload.clients must be between 1",
    "negative hold          | run conf/scenarios/mutex-bench.conf --set vfiosim.workload.hold-cycles=-1           | vfiosim.workload.hold-cycles must be between 0",
    "bad generation         | run --set vfiosim.generation=v5.7                   | vfiosim.generation must be one of v5.6, v5.10, v5.10-contig",
    "bad cpu-ghz            | run --set vfiosim.cpu-ghz=0                         | vfiosim.cpu-ghz must be a positive number",
    "bad scenario kind      | run --set vfiosim.scenario=nope                     | vfiosim.scenario must be one of",
    "missing file           | run no/such/file.conf                               | no/such/file.conf: no such scenario file",
    "bad threads            | run --threads 0                                     | --threads must be between 1 and 1024",
    "unknown option         | run --bogus                                         | Unknown option: '--bogus'",
    "bad seed               | run --seed x                                        | Invalid value for option '--seed'",
    "no command             | ''                                                  | missing command",
    "set without value      | run --set vfiosim.seed                              | --set vfiosim.seed: expected key=value",
    "other kind's setting   | run --set vfiosim.workload.clients=3                | vfiosim.workload.clients is a setting of scenario kind mutex-bench, not of gvt-fleet",
    "fleet: bad size        | run --set vfiosim.fleet.guest-mem=lots              | vfiosim.fleet.guest-mem must be a size such as 4G or 128M",
    "fleet: zero VMs        | run --set vfiosim.fleet.vms=0                       | vfiosim.fleet.vms must be between 1",
    "fleet: share over 1    | run --set vfiosim.fleet.read-share=1.5              | vfiosim.fleet.read-share must be between 0.0 and 1.0",
    "fleet: churn, no region| run --set vfiosim.fleet.hotplug-mem=0 --set vfiosim.fleet.churn-interval-ms=5 | churn-interval-ms needs a hot-plug region",
    "bad dma-rw-mm variant  | run --set vfiosim.variants.dma-rw-mm=mmget          | vfiosim.variants.dma-rw-mm must be one of get_task_mm, mmget_not_zero, got 'mmget'",
    "bad trace limit        | run --trace-limit 0                                 | --trace-limit must be at least 1, got 0",
    "calibrate: no costs    | calibrate --costs no/such/costs.conf               | no/such/costs.conf: no such cost model file",
    "calibrate: stray arg   | calibrate extra                                     | Unmatched argument",
  })
  void bad_input_is_one_line_and_exit_2(String name, String args, String expected) {
    String[] argv = args.isBlank() ? new String[0] : args.trim().split("\\s+");
    Result r = cli(argv);
    assertThat(r.status()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("vfiosim: ").contains(expected);
    assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void hocon_syntax_error_in_a_scenario_is_file_line_message() throws IOException {
    Path f = dir.resolve("broken.conf");
    Files.writeString(f, "vfiosim {\n  scenario = mutex-bench\n  workload { clients = 4 \n");
    Result r = cli("run", f.toString());
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).startsWith("vfiosim: " + f + ":").matches("(?s)vfiosim: .*:\\d+: .*\n");
  }

  @Test
  void another_kinds_setting_in_a_scenario_file_is_rejected_whatever_the_file_is_called() throws IOException {
    // the user's file is the user's, even when it is named like the defaults
    Path f = Files.createDirectories(dir.resolve("mine/conf")).resolve("application.conf");
    Files.writeString(f, "vfiosim.scenario = gvt-fleet\nvfiosim.workload.clients = 3\n");
    Result r = cli("run", f.toString(), "--out", dir.resolve("o").toString(), "--no-progress");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("vfiosim: " + f + ":2: vfiosim.workload.clients is a setting of scenario kind"
        + " mutex-bench, not of gvt-fleet (vfiosim.scenario)\n");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"run", "calibrate", "sweep"})
  void an_out_directory_that_is_a_file_is_one_line_before_any_work(String command) throws IOException {
    Path file = Files.writeString(dir.resolve("taken"), "mine\n");
    for (Path out : new Path[] {file, file.resolve("below")}) {
      String[] argv = switch (command) {
        case "run" -> new String[] {"run", "conf/scenarios/mutex-bench.conf", "--out", out.toString(), "--no-progress"};
        case "calibrate" -> new String[] {"calibrate", "--out", out.toString()};
        default -> new String[] {"sweep", "conf/scenarios/mutex-bench.conf", "--param", "vfiosim.workload.clients=2,4",
            "--out", out.toString()};
      };
      Result r = cli(argv);
      assertThat(r.status()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).isEqualTo("vfiosim: --out " + out + ": " + file + " exists and is not a directory\n");
      assertThat(r.out()).isEmpty();
      assertThat(Files.readString(file)).isEqualTo("mine\n");
    }
  }

  @Test
  void help_works_everywhere() {
    assertThat(cli("--help").status()).isZero();
    Result r = cli("run", "--help");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("--threads").contains("--set").contains("--seed").contains("--out");
    Result c = cli("calibrate", "--help");
    assertThat(c.status()).isZero();
    assertThat(c.out()).contains("--costs").contains("--out").contains("calibration.json");
    assertThat(cli("--help").out()).contains("calibrate");
  }
}
