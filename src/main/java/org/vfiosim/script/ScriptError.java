package org.vfiosim.script;

import java.util.Objects;

/**
 * A script error in the sense of {@code script-format.md}: the script is rejected as a whole and
 * nothing is run (exit status 2). {@link #getMessage()} is always exactly one line of the form
 * {@code FILE:LINE: what is wrong}, with a 1-based line number.
 *
 * <p>Checked on purpose: a caller that parses a script has to decide what to do with a bad one.
 */
public final class ScriptError extends Exception {
  private static final long serialVersionUID = 1L;

  private final String fileName;
  private final int line;
  private final String detail;

  public ScriptError(String fileName, int line, String detail) {
    super(Objects.requireNonNull(fileName) + ":" + line + ": " + Objects.requireNonNull(detail));
    this.fileName = fileName;
    this.line = line;
    this.detail = detail;
  }

  /** The file name as given to the parser. */
  public String fileName() {
    return fileName;
  }

  /** The 1-based line the error is reported at. */
  public int line() {
    return line;
  }

  /** The message without the {@code FILE:LINE: } prefix. */
  public String detail() {
    return detail;
  }
}
