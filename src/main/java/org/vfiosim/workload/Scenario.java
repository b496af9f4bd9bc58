package org.vfiosim.workload;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.vfiosim.run.Finding;
import org.vfiosim.run.Invariant;
import org.vfiosim.sim.Model;

/**
 * A built scenario: the model to run, the virtual time it is expected to reach (for the progress
 * bar; 0 when unknown), its end-of-run invariants, the kernel findings it collects, extra result
 * sections (results.json keys, e.g. {@code vms} and {@code gpus}) read after the run, and what
 * starts its threads once the model is laid out on shards.
 */
public record Scenario(Model model, long expectedEndCycles, List<Invariant> invariants,
    Supplier<List<Finding>> findings, Supplier<Map<String, Object>> extraResults, Runnable afterLayout) {

  /** A scenario with no kernel findings, no extra sections, every thread started before layout. */
  public Scenario(Model model, long expectedEndCycles, List<Invariant> invariants) {
    this(model, expectedEndCycles, invariants, List::of, Map::of, () -> {});
  }

  /** Lays the model out on at most {@code shards} shards (0: automatic) and starts it. */
  public void layout(int shards) {
    model.layout(shards);
    afterLayout.run();
  }
}
