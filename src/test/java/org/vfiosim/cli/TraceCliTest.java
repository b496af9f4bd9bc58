package org.vfiosim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vfiosim.cli.CliTest.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vfiosim run --trace}: trace.json of a mutex-bench run (8 clients, 50 iterations). */
class TraceCliTest {
  @TempDir
  Path dir;

  static String[] args(Path out, String... more) {
    String[] base = {"run", "conf/scenarios/mutex-bench.conf", "--set", "vfiosim.workload.clients=8",
        "--set", "vfiosim.workload.iterations=50", "--seed", "3", "--out", out.toString(), "--no-progress"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void traced_run_writes_valid_trace_with_one_span_per_hold_and_wait() throws IOException {
    Path out = dir.resolve("t");
    CliTest.Result r = cli(args(out, "--trace"));
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("report.html,trace.json}");
    JsonNode root = new ObjectMapper().readTree(out.resolve("trace.json").toFile());
    assertThat(root.get("displayTimeUnit").asText()).isEqualTo("ns");
    JsonNode other = root.get("otherData");
    assertThat(other.get("trace_limit_per_shard").asInt()).isEqualTo(200_000);
    assertThat(other.get("spans").asInt()).isEqualTo(400 + 399);
    assertThat(other.get("dropped").asInt()).isZero();
    Map<String, Integer> phases = new HashMap<>();
    Set<Long> begun = new HashSet<>();
    Set<Long> ended = new HashSet<>();
    Set<String> threadNames = new HashSet<>();
    double lastHoldEnd = 0;
    for (JsonNode e : root.get("traceEvents")) {
      String ph = e.get("ph").asText();
      phases.merge(ph, 1, Integer::sum);
      switch (ph) {
        case "X" -> {
          assertThat(e.get("cat").asText()).isEqualTo("lock");
          assertThat(e.get("name").asText()).isEqualTo("bench_mutex");
          assertThat(e.get("args").get("owner").asText()).isEqualTo("bench");
          // Simulated thread 0 must not become tid 0, which Perfetto merged into another thread.
          assertThat(e.get("tid").asInt()).isBetween(1, 8);
          // 300 cycles at 3 GHz; holds follow each other without a gap.
          assertThat(e.get("dur").asDouble()).isEqualTo(0.1);
          assertThat(e.get("ts").asDouble()).isCloseTo(lastHoldEnd, org.assertj.core.data.Offset.offset(1e-9));
          lastHoldEnd = e.get("ts").asDouble() + 0.1;
        }
        case "b" -> assertThat(begun.add(e.get("id").asLong())).isTrue();
        case "e" -> assertThat(ended.add(e.get("id").asLong())).isTrue();
        case "M" -> {
          if (e.get("name").asText().equals("thread_name")) {
            threadNames.add(e.get("args").get("name").asText());
          }
        }
        default -> throw new AssertionError("unexpected phase " + ph);
      }
    }
    // One hold per acquisition, one async pair per contended (non-zero) wait.
    assertThat(phases.get("X")).isEqualTo(400);
    assertThat(phases.get("b")).isEqualTo(399);
    assertThat(phases.get("e")).isEqualTo(399);
    assertThat(begun).isEqualTo(ended);
    assertThat(threadNames).hasSize(8).contains("client0", "client7");
    // One process (the bench domain) with its name and sort index.
    assertThat(phases.get("M")).isEqualTo(2 + 8 * 2);
  }

  @Test
  void limit_drops_spans_past_it_and_says_so() throws IOException {
    Path out = dir.resolve("l");
    CliTest.Result r = cli(args(out, "--trace-limit", "10"));
    assertThat(r.status()).as(r.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(out.resolve("trace.json").toFile());
    JsonNode other = root.get("otherData");
    assertThat(other.get("spans").asInt()).isEqualTo(10);
    assertThat(other.get("dropped").asInt()).isEqualTo(799 - 10);
    assertThat(other.get("note").asText()).startsWith("789 spans dropped");
  }

  @Test
  void trace_is_deterministic_and_a_later_untraced_run_removes_it() throws IOException {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    assertThat(cli(args(a, "--trace", "--threads", "1")).status()).isZero();
    assertThat(cli(args(b, "--trace", "--threads", "2")).status()).isZero();
    assertThat(Files.readString(b.resolve("trace.json"))).isEqualTo(Files.readString(a.resolve("trace.json")));
    assertThat(cli(args(a)).status()).isZero();
    assertThat(a.resolve("trace.json")).doesNotExist();
  }
}
