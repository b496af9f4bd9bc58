package org.vfiosim.workload;

import java.util.List;
import org.vfiosim.run.Invariant;
import org.vfiosim.sim.Model;

/**
 * A built scenario: the model to run, the virtual time it is expected to reach (for the progress
 * bar; 0 when unknown), and the scenario's own end-of-run invariants.
 */
public record Scenario(Model model, long expectedEndCycles, List<Invariant> invariants) {}
