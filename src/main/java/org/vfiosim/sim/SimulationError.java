package org.vfiosim.sim;

/**
 * A broken rule of the engine or of the model code (a release of a lock not held, a message that
 * beats the lookahead). Never a user error: user errors are reported before a run starts.
 */
public final class SimulationError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SimulationError(String message) {
    super(message);
  }
}
