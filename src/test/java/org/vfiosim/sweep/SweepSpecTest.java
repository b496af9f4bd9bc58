package org.vfiosim.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfiosim.config.UserError;

class SweepSpecTest {
  static final Config BASE = ConfigFactory.parseString(
      "vfiosim { generation = v5.10, costs = default, a { n = 1 }, b { n = 2 }, workload { clients = 4 } }");

  @Test
  void cross_product_first_parameter_outermost_seed_innermost() {
    SweepSpec s = SweepSpec.parse(List.of("vfiosim.workload.clients=4,8", "vfiosim.a.n=1"), "v5.6,v5.10", 2,
        List.of("vfiosim.b.n=3"), BASE);
    List<SweepPoint> p = s.points("v5.10");
    assertThat(p).extracting(SweepPoint::name).containsExactly(
        "clients=4,n=1,gen=v5.6,seed=1", "clients=4,n=1,gen=v5.6,seed=2",
        "clients=4,n=1,gen=v5.10,seed=1", "clients=4,n=1,gen=v5.10,seed=2",
        "clients=8,n=1,gen=v5.6,seed=1", "clients=8,n=1,gen=v5.6,seed=2",
        "clients=8,n=1,gen=v5.10,seed=1", "clients=8,n=1,gen=v5.10,seed=2");
    assertThat(p.get(5).sets()).containsExactly("vfiosim.b.n=3", "vfiosim.workload.clients=8", "vfiosim.a.n=1",
        "vfiosim.generation=v5.6");
    assertThat(p.get(5).seed()).isEqualTo(2);
    assertThat(p.get(5).runArguments()).containsExactly("--set", "vfiosim.b.n=3", "--set",
        "vfiosim.workload.clients=8", "--set", "vfiosim.a.n=1", "--set", "vfiosim.generation=v5.6", "--seed", "2");
  }

  @Test
  void without_generations_the_scenario_generation_names_points_and_is_not_set() {
    List<SweepPoint> p = SweepSpec.parse(List.of("vfiosim.a.n=1"), null, 1, List.of(), BASE).points("v5.6");
    assertThat(p).extracting(SweepPoint::name).containsExactly("n=1,gen=v5.6,seed=1");
    assertThat(p.get(0).generation()).isNull();
    assertThat(p.get(0).sets()).containsExactly("vfiosim.a.n=1");
  }

  @Test
  void keys_sharing_a_last_part_keep_their_whole_name() {
    assertThat(SweepSpec.shortNames(List.of("vfiosim.a.n", "vfiosim.b.n", "vfiosim.workload.clients")))
        .isEqualTo(Map.of("vfiosim.a.n", "vfiosim.a.n", "vfiosim.b.n", "vfiosim.b.n", "vfiosim.workload.clients",
            "clients"));
  }

  @Test
  void directory_names_are_filesystem_safe_and_must_not_clash() {
    assertThat(SweepSpec.safe("costs=conf/x y.conf,gen=v5.10,seed=1")).isEqualTo("costs=conf_x_y.conf,gen=v5.10,seed=1");
    assertThat(SweepSpec.safe("..x")).isEqualTo("_.x");
    SweepSpec s = SweepSpec.parse(List.of("vfiosim.costs=a/b,a_b"), null, 1, List.of(), BASE);
    assertThatThrownBy(() -> s.points("v5.10")).isInstanceOf(UserError.class)
        .hasMessage("sweep points 'costs=a/b,gen=v5.10,seed=1' and 'costs=a_b,gen=v5.10,seed=1' would share the "
            + "directory points/costs=a_b,gen=v5.10,seed=1");
  }
}
