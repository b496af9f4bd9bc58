package org.vfiosim.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vfiosim.config.UserError;
import org.vfiosim.run.Runner;

/**
 * One point of a sweep: a value for each swept parameter, a generation and a seed.
 *
 * @param name the point's directory name under {@code DIR/points/}, e.g.
 *     {@code clients=8,hold-cycles=300,gen=v5.10,seed=1}
 * @param values {@code key=value} of each swept parameter, in {@code --param} order
 * @param generation the generation set for the point, or null to keep the scenario's
 * @param seed the run's seed
 * @param sets every override of the run, in order: the sweep's {@code --set}s, then the parameter
 *     values, then {@code vfiosim.generation}
 */
public record SweepPoint(String name, List<Param> values, String generation, long seed, List<String> sets) {

  /** One parameter's value at a point. */
  public record Param(String key, String value) {}

  public SweepPoint {
    values = List.copyOf(values);
    sets = List.copyOf(sets);
  }

  /** The point's run, prepared exactly as {@code vfiosim run} prepares it; user errors name the point. */
  public Runner.Prepared prepare(Path home, Path scenario) {
    try {
      return Runner.prepare(home, scenario, sets, seed, null);
    } catch (UserError e) {
      throw new UserError("sweep point " + name + ": " + e.getMessage());
    }
  }

  /** The {@code vfiosim run} arguments that reproduce this point (after the scenario file). */
  public List<String> runArguments() {
    List<String> a = new ArrayList<>();
    for (String s : sets) {
      a.add("--set");
      a.add(s);
    }
    a.add("--seed");
    a.add(Long.toString(seed));
    return a;
  }
}
