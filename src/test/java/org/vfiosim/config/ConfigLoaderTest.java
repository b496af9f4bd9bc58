package org.vfiosim.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Path HOME = Path.of(".").toAbsolutePath().normalize();

  @TempDir
  Path dir;

  private Path file(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void scenario_and_sets_override_defaults_in_order() throws IOException {
    Path f = file("s.conf", "vfiosim { scenario = mutex-bench\n workload.clients = 7 }\n");
    ConfigLoader.Loaded l = ConfigLoader.load(HOME, f, List.of("vfiosim.workload.clients=9",
        "vfiosim.workload.hold-cycles=11", "vfiosim.workload.clients=12"), null);
    assertThat(l.config().getInt("vfiosim.workload.clients")).isEqualTo(12);
    assertThat(l.config().getInt("vfiosim.workload.hold-cycles")).isEqualTo(11);
    assertThat(l.config().getInt("vfiosim.workload.iterations")).isEqualTo(20000);
    assertThat(l.scenarioName()).isEqualTo("s");
    assertThat(l.costs().getLong("costs.mutex.acquire")).isPositive();
  }

  @Test
  void default_scenario_is_used_without_a_file() {
    ConfigLoader.Loaded l = ConfigLoader.load(HOME, null, List.of(), null);
    assertThat(l.scenarioName()).isEqualTo("gvt-fleet");
    assertThat(l.config().getString("vfiosim.scenario")).isEqualTo("gvt-fleet");
  }

  @Test
  void unknown_key_in_a_file_names_file_line_and_key() throws IOException {
    Path f = file("typo.conf", "vfiosim {\n  scenario = mutex-bench\n  workload {\n    clientz = 3\n  }\n}\n");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, f, List.of(), null))
        .isInstanceOf(UserError.class)
        .hasMessage(f + ":4: unknown key 'vfiosim.workload.clientz'");
  }

  @Test
  void unknown_key_outside_vfiosim_is_refused_but_akka_passes() throws IOException {
    Path f = file("x.conf", "vfiosim.scenario = mutex-bench\nfoo.bar = 1\n");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, f, List.of(), null))
        .isInstanceOf(UserError.class).hasMessageContaining(":2: unknown key 'foo.bar'");
    Path g = file("y.conf", "vfiosim.scenario = mutex-bench\nakka.actor.default-dispatcher.throughput = 3\n");
    assertThat(ConfigLoader.load(HOME, g, List.of(), null).config()
        .getInt("akka.actor.default-dispatcher.throughput")).isEqualTo(3);
  }

  @Test
  void wrong_type_is_refused() throws IOException {
    Path f = file("t.conf", "vfiosim.scenario = mutex-bench\nvfiosim.workload.clients = lots\n");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, f, List.of(), null))
        .isInstanceOf(UserError.class)
        .hasMessage(f + ":2: vfiosim.workload.clients must be a number, got 'lots'");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, null, List.of("vfiosim.workload={ a = 1 }"), null))
        .isInstanceOf(UserError.class).hasMessageContaining("unknown key 'vfiosim.workload.a'");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, null, List.of("vfiosim.engine=3"), null))
        .isInstanceOf(UserError.class).hasMessageContaining("vfiosim.engine must be an object");
  }

  @Test
  void set_errors_name_the_set() {
    assertThatThrownBy(() -> ConfigLoader.load(HOME, null, List.of("vfiosim.workload.clientz=3"), null))
        .isInstanceOf(UserError.class)
        .hasMessage("--set vfiosim.workload.clientz=3: unknown key 'vfiosim.workload.clientz'");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, null, List.of("justakey"), null))
        .isInstanceOf(UserError.class).hasMessage("--set justakey: expected key=value");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, null, List.of("vfiosim.seed={"), null))
        .isInstanceOf(UserError.class).hasMessageStartingWith("--set vfiosim.seed={: ");
  }

  @Test
  void syntax_error_is_one_line_with_file_and_line() throws IOException {
    Path f = file("bad.conf", "vfiosim {\n scenario = mutex-bench\n workload { clients = 4\n");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, f, List.of(), null))
        .isInstanceOf(UserError.class)
        .satisfies(e -> {
          assertThat(e.getMessage()).startsWith(f + ":").doesNotContain("\n");
          assertThat(e.getMessage()).matches(".*:\\d+: .*");
        });
  }

  @Test
  void missing_files_and_missing_kind() throws IOException {
    assertThatThrownBy(() -> ConfigLoader.load(HOME, dir.resolve("none.conf"), List.of(), null))
        .isInstanceOf(UserError.class).hasMessage(dir.resolve("none.conf") + ": no such scenario file");
    Path f = file("nokind.conf", "vfiosim.seed = 3\n");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, f, List.of(), null))
        .isInstanceOf(UserError.class).hasMessageContaining("missing vfiosim.scenario");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, null, List.of("vfiosim.costs=nosuchmodel"), null))
        .isInstanceOf(UserError.class).hasMessageContaining("nosuchmodel.conf: no such cost model file");
  }

  @Test
  void cost_model_keys_are_checked_against_the_default_model() throws IOException {
    Path c = file("c.conf", "costs.mutex.acquire = 200\ncosts.mutex.aquire = 1\n");
    assertThatThrownBy(() -> ConfigLoader.load(HOME, null, List.of(), c))
        .isInstanceOf(UserError.class).hasMessage(c + ":2: unknown key 'costs.mutex.aquire'");
    Path ok = file("ok.conf", "costs.mutex.acquire = 200\n");
    assertThat(ConfigLoader.load(HOME, null, List.of(), ok).costs().getLong("costs.mutex.acquire")).isEqualTo(200);
  }

  @Test
  void view_range_checks_name_where_the_value_was_set() throws IOException {
    Path f = file("r.conf", "vfiosim.scenario = mutex-bench\nvfiosim.workload.clients = -3\n");
    ConfigView v = ConfigLoader.load(HOME, f, List.of(), null).view();
    assertThatThrownBy(() -> v.intAtLeast("vfiosim.workload.clients", 1))
        .isInstanceOf(UserError.class)
        .hasMessage(f + ":2: vfiosim.workload.clients must be between 1 and 2147483647, got -3");
    assertThatThrownBy(() -> v.oneOf("vfiosim.generation", "v5.6"))
        .isInstanceOf(UserError.class).hasMessageContaining("vfiosim.generation must be one of v5.6, got 'v5.10'");
  }
}
