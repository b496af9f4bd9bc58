package org.vfiosim.run;

import com.typesafe.config.Config;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.config.ConfigView;

/** The run-level settings of a loaded configuration, validated. */
public record RunSettings(
    ConfigLoader.Loaded loaded,
    String scenarioName,
    String kind,
    String generation,
    long seed,
    double cpuGhz,
    int shards,
    long maxWindowCycles,
    long parallelEvents) {

  public static final String[] GENERATIONS = {"v5.6", "v5.10", "v5.10-contig"};

  public static RunSettings of(ConfigLoader.Loaded l) {
    ConfigView c = l.view();
    return new RunSettings(
        l,
        l.scenarioName(),
        c.getString("vfiosim.scenario"),
        c.oneOf("vfiosim.generation", GENERATIONS),
        c.getLong("vfiosim.seed"),
        c.positiveDouble("vfiosim.cpu-ghz"),
        c.intBetween("vfiosim.engine.shards", 0, 1 << 20),
        c.longAtLeast("vfiosim.engine.max-window-cycles", 1),
        c.longAtLeast("vfiosim.engine.parallel-events", 0));
  }

  public ConfigView view() {
    return loaded.view();
  }

  public Config config() {
    return loaded.config();
  }

  public Config costs() {
    return loaded.costs();
  }
}
