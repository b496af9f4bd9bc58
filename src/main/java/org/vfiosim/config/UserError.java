package org.vfiosim.config;

/**
 * A mistake in the user's input (a config file, a flag, a script): reported as one line naming the
 * file and line or the key, and exit status 2. Never carries a stack trace to the terminal.
 */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserError(String message) {
    super(message, null, false, false);
  }
}
