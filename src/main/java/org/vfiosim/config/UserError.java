package org.vfiosim.config;

/**
 * A mistake in the user's input (a config file, a flag, a script): reported as one line naming the
 * file and line or the key, and exit status 2. Never carries a stack trace to the terminal.
 */
public final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserError(String message) {
    super(oneLine(message), null, false, false);
  }

  /** The message on one line: line breaks and other control characters (from the input) become spaces. */
  private static String oneLine(String m) {
    if (m == null) {
      return null;
    }
    StringBuilder sb = null;
    for (int i = 0; i < m.length(); i++) {
      char c = m.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        if (sb == null) {
          sb = new StringBuilder(m);
        }
        sb.setCharAt(i, ' ');
      }
    }
    return sb == null ? m : sb.toString();
  }
}
