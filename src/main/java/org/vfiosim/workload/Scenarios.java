package org.vfiosim.workload;

import java.util.List;
import org.vfiosim.config.ConfigView;
import org.vfiosim.config.UserError;
import org.vfiosim.run.RunSettings;
import org.vfiosim.sim.Model;

/** The scenario kinds ({@code vfiosim.scenario}) and how each is built from its settings. */
public final class Scenarios {
  public static final List<String> KINDS = List.of("mutex-bench");

  private Scenarios() {}

  /** Validates the kind's settings (a bad value is a {@link UserError}) and builds the model. */
  public static Scenario build(RunSettings s) {
    ConfigView c = s.view();
    return switch (s.kind()) {
      case "mutex-bench" -> mutexBench(c);
      default -> throw c.bad("vfiosim.scenario", "must be one of " + String.join(", ", KINDS) + ", got '"
          + s.kind() + "'");
    };
  }

  private static Scenario mutexBench(ConfigView c) {
    MutexBench.Params p = new MutexBench.Params(
        c.intBetween("vfiosim.workload.clients", 1, 1 << 22),
        c.longAtLeast("vfiosim.workload.iterations", 0),
        c.longBetween("vfiosim.workload.hold-cycles", 0, 1L << 40),
        c.longBetween("vfiosim.workload.think-cycles", 0, 1L << 40),
        c.intBetween("vfiosim.workload.mutexes", 1, 1 << 22));
    Model m = new Model(1);
    MutexBench.build(m, p);
    return new Scenario(m, MutexBench.expectedEnd(p), List.of());
  }
}
