package org.vfiosim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vfiosim calibrate}: the table, calibration.json, exit statuses 0/1/2. */
class CalibrateCliTest {
  @TempDir
  Path dir;

  @Test
  void prints_the_table_and_writes_calibration_json() throws IOException {
    Path out = dir.resolve("cal");
    CliTest.Result r = CliTest.cli("calibrate", "--out", out.toString());
    JsonNode root = new ObjectMapper().readTree(Files.readString(out.resolve("calibration.json")));
    JsonNode figures = root.get("figures");
    assertThat(root.size()).isEqualTo(1);
    assertThat(figures.size()).isEqualTo(9);
    boolean allOk = true;
    for (JsonNode f : figures) {
      assertThat(f.fieldNames()).toIterable().containsExactly("id", "source", "target_low", "target_high",
          "simulated", "ok");
      double sim = f.get("simulated").asDouble();
      assertThat(f.get("ok").asBoolean()).isEqualTo(sim >= f.get("target_low").asDouble()
          && sim <= f.get("target_high").asDouble());
      allOk &= f.get("ok").asBoolean();
      assertThat(r.out()).contains(f.get("id").asText());
    }
    assertThat(r.out()).startsWith("figure ").contains("source").contains("target").contains("simulated");
    // each figure outside its target gets one line saying why, after the count
    for (JsonNode f : figures) {
      if (!f.get("ok").asBoolean()) {
        assertThat(r.out()).containsPattern("figures outside their targets\\n(  .*\\n)*  " + f.get("id").asText() + ": \\S");
      }
    }
    assertThat(r.status()).as(r.err()).isEqualTo(allOk ? 0 : 1);
    assertThat(r.err()).isEmpty();
    assertThat(figures.get(0).get("id").asText()).isEqualTo("mutex-uncontended-cycles");
    assertThat(figures.get(0).get("simulated").asDouble()).isEqualTo(104.0);
  }

  @Test
  void a_cost_model_that_moves_a_figure_out_of_its_target_exits_1() throws IOException {
    Path costs = dir.resolve("slow-mutex.conf");
    Files.writeString(costs, "costs.mutex.acquire = 300\n"); // 300 + release 16 + get_cycles 20
    CliTest.Result r = CliTest.cli("calibrate", "--costs", costs.toString(), "--out", dir.resolve("c").toString());
    assertThat(r.status()).isEqualTo(1);
    assertThat(r.out()).containsPattern("mutex-uncontended-cycles .* 336\\.0 +NO");
  }

  @Test
  void bad_cost_models_are_one_line_and_exit_2() throws IOException {
    Path typo = dir.resolve("typo.conf");
    Files.writeString(typo, "costs.mutex.aquire = 80\n");
    Path negative = dir.resolve("neg.conf");
    Files.writeString(negative, "costs.gup.page = -1\n");
    for (String[] c : new String[][] {{"no/such.conf", "no/such.conf: no such cost model file"},
        {typo.toString(), "aquire"}, {negative.toString(), "costs.gup.page must not be negative"}}) {
      CliTest.Result r = CliTest.cli("calibrate", "--costs", c[0], "--out", dir.resolve("x").toString());
      assertThat(r.status()).as(c[0]).isEqualTo(2);
      assertThat(r.err()).startsWith("vfiosim: ").contains(c[1]).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(dir.resolve("x")).doesNotExist();
    }
  }
}
