package org.vfiosim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.cli.CliTest.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code vfiosim sweep} over mutex-bench, whose every figure follows closed-queue analytics. */
class SweepCliTest {
  static final String SCENARIO = "conf/scenarios/mutex-bench.conf";
  static final int K = 20;

  @TempDir
  Path dir;

  /** Mean wait of N clients, hold H, think 0, K iterations: ((N-1)H/2 + (K-1)(NH-H)) / K. */
  static double meanWait(long n, long h) {
    return ((n - 1) * h / 2.0 + (K - 1) * (n * h - h)) / K;
  }

  /** Total wait: the first round H + 2H + ... + (N-1)H, then (K-1) rounds of N waits of NH-H. */
  static long waitTotal(long n, long h) {
    return h * n * (n - 1) / 2 + (K - 1) * n * (n * h - h);
  }

  static String row(long n, long h, String gen, long seed) {
    // Every acquisition but the very first waits; the 99th percentile is the steady-state wait.
    return String.format(Locale.ROOT, "%d,%d,%s,%d,%.1f,%d,%d,%d", n, h, gen, seed, meanWait(n, h), n * h - h,
        n * K - 1, waitTotal(n, h));
  }

  @Test
  void two_by_two_sweep_writes_points_csv_and_report_and_points_equal_runs() throws IOException {
    Path out = dir.resolve("s");
    CliTest.Result r = cli("sweep", SCENARIO, "--param", "vfiosim.workload.clients=4,8",
        "--param", "vfiosim.workload.hold-cycles=100,300", "--set", "vfiosim.workload.iterations=" + K,
        "--threads", "2", "--out", out.toString());
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.err()).contains("[vfiosim sweep] 1/4 clients=4,hold-cycles=100,gen=v5.10,seed=1: exit 0")
        .contains("[vfiosim sweep] 4/4 clients=8,hold-cycles=300,gen=v5.10,seed=1: exit 0");
    assertThat(r.out()).contains("4 point(s)").contains("every point exited 0");

    List<String> names = List.of("clients=4,hold-cycles=100,gen=v5.10,seed=1", "clients=4,hold-cycles=300,gen=v5.10,seed=1",
        "clients=8,hold-cycles=100,gen=v5.10,seed=1", "clients=8,hold-cycles=300,gen=v5.10,seed=1");
    try (Stream<Path> s = Files.list(out.resolve("points"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactlyElementsOf(names);
    }
    for (String n : names) {
      for (String f : new String[] {"results.json", "lock_stat", "perf-lock.txt", "ops.csv", "report.html"}) {
        assertThat(out.resolve("points").resolve(n).resolve(f)).isRegularFile();
      }
    }

    String expected = String.join("\n",
        "vfiosim.workload.clients,vfiosim.workload.hold-cycles,generation,seed,mutex_lock.mean_cycles,"
            + "mutex_lock.p99_cycles,bench_mutex.contentions,bench_mutex.wait_total_cycles",
        row(4, 100, "v5.10", 1), row(4, 300, "v5.10", 1), row(8, 100, "v5.10", 1), row(8, 300, "v5.10", 1), "");
    assertThat(Files.readString(out.resolve("sweep.csv"))).isEqualTo(expected);
    assertThat(row(8, 300, "v5.10", 1)).isEqualTo("8,300,v5.10,1,2047.5,2100,159,327600");

    String html = Files.readString(out.resolve("report.html"));
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<h1>vfiosim sweep: mutex-bench</h1>")
        .contains("alt=\"mutex_lock mean latency (vfiosim.workload.hold-cycles=100)\"")
        .contains("alt=\"lock wait total, v5.10 (vfiosim.workload.hold-cycles=300)\"")
        .contains("<a href=\"points/clients=8,hold-cycles=300,gen=v5.10,seed=1/report.html\">")
        .contains("<td class=\"n\">2047.5</td><td class=\"n\">2,100</td><td class=\"n\">159</td>"
            + "<td class=\"n\">327,600</td></tr>")
        .doesNotContain("http://").doesNotContain("https://");

    // A point is exactly `vfiosim run` with the same settings and seed.
    Path run = dir.resolve("run");
    CliTest.Result rr = cli("run", SCENARIO, "--set", "vfiosim.workload.iterations=" + K,
        "--set", "vfiosim.workload.clients=8", "--set", "vfiosim.workload.hold-cycles=300", "--seed", "1",
        "--threads", "1", "--out", run.toString(), "--no-progress");
    assertThat(rr.status()).as(rr.err()).isZero();
    Path point = out.resolve("points").resolve(names.get(3));
    assertThat(CliTest.withoutHost(point.resolve("results.json"))).isEqualTo(CliTest.withoutHost(run.resolve("results.json")));
    for (String f : new String[] {"lock_stat", "perf-lock.txt", "ops.csv"}) {
      assertThat(Files.readString(point.resolve(f))).as(f).isEqualTo(Files.readString(run.resolve(f)));
    }
  }

  @Test
  void seeds_and_generations_give_one_row_per_seed_and_generation() throws IOException {
    Path out = dir.resolve("g");
    CliTest.Result r = cli("sweep", SCENARIO, "--param", "vfiosim.workload.clients=4",
        "--generations", "v5.6,v5.10-contig", "--seeds", "2", "--set", "vfiosim.workload.iterations=" + K,
        "--set", "vfiosim.workload.hold-cycles=100", "--out", out.toString());
    assertThat(r.status()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(out.resolve("sweep.csv"));
    assertThat(lines.get(0)).startsWith("vfiosim.workload.clients,generation,seed,mutex_lock.mean_cycles,");
    List<String> rows = new ArrayList<>(lines.subList(1, lines.size()));
    String stats = String.format(Locale.ROOT, ",%.1f,%d,%d,%d", meanWait(4, 100), 300, 4 * K - 1, waitTotal(4, 100));
    assertThat(rows).containsExactly("4,v5.6,1" + stats, "4,v5.6,2" + stats, "4,v5.10-contig,1" + stats,
        "4,v5.10-contig,2" + stats);
    assertThat(out.resolve("points/clients=4,gen=v5.10-contig,seed=2/results.json")).isRegularFile();
    String json = Files.readString(out.resolve("points/clients=4,gen=v5.10-contig,seed=2/results.json"));
    assertThat(json).contains("\"generation\" : \"v5.10-contig\"").contains("\"seed\" : 2");
    assertThat(Files.readString(out.resolve("report.html")))
        .contains("Lines show the mean over seeds 1..2; bars run from the smallest to the largest value.");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "unknown param key   | --param vfiosim.workload.clientz=4,8       | --param vfiosim.workload.clientz=4,8: unknown key 'vfiosim.workload.clientz'",
    "not under vfiosim   | --param akka.loglevel=INFO                 | unknown key 'akka.loglevel'",
    "object key          | --param vfiosim.workload=4                 | 'vfiosim.workload' is not a single setting",
    "empty value list    | --param vfiosim.workload.clients=          | --param vfiosim.workload.clients=: empty value list",
    "empty value         | --param vfiosim.workload.clients=4,,8      | empty value in the list",
    "duplicate value     | --param vfiosim.workload.clients=4,4       | value '4' given twice",
    "no equals           | --param vfiosim.workload.clients           | expected KEY=V1,V2,...",
    "swept twice         | --param vfiosim.workload.clients=4 --param vfiosim.workload.clients=8 | is swept twice",
    "param and set       | --param vfiosim.workload.clients=4 --set vfiosim.workload.clients=8   | is also given with --set",
    "generation as param | --param vfiosim.generation=v5.6            | sweep generations with --generations",
    "bad generation      | --param vfiosim.workload.clients=4 --generations v5.6,v5.7 | unknown generation 'v5.7' (one of v5.6, v5.10, v5.10-contig)",
    "bad seeds           | --param vfiosim.workload.clients=4 --seeds 0 | --seeds must be between 1 and 1000000, got 0",
    "no param            | --seeds 2                                  | sweep needs at least one --param",
    "bad point value     | --param vfiosim.workload.clients=4,-3      | sweep point clients=-3,gen=v5.10,seed=1: --set vfiosim.workload.clients=-3: vfiosim.workload.clients must be between 1",
    "bad threads         | --param vfiosim.workload.clients=4 --threads 0 | --threads must be between 1 and 1024",
  })
  void bad_input_is_one_line_exit_2_and_runs_nothing(String name, String args, String expected) {
    Path out = dir.resolve("bad");
    List<String> argv = new ArrayList<>(List.of("sweep", SCENARIO, "--out", out.toString()));
    argv.addAll(List.of(args.trim().split("\\s+")));
    CliTest.Result r = cli(argv.toArray(new String[0]));
    assertThat(r.status()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith("vfiosim: ").contains(expected);
    assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(out).doesNotExist();
  }

  @Test
  void help_lists_the_options() {
    CliTest.Result r = cli("sweep", "--help");
    assertThat(r.status()).isZero();
    assertThat(r.out()).contains("--param").contains("--generations").contains("--seeds").contains("--set")
        .contains("--threads").contains("--out");
    assertThat(cli("--help").out()).contains("sweep");
  }
}
