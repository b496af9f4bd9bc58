package org.vfiosim.script;

/** The {@code expect=} of an entry point: a return value, or {@code BUG}. */
public sealed interface Expect {
  /** The spelling in the script ({@code -EINVAL}, {@code 0x10}, {@code BUG}). */
  String text();

  /**
   * An expected return value. {@code expect=-EINVAL} is {@code Ret(-22, "-EINVAL")}; {@code
   * expect=0x10} is {@code Ret(16, "0x10")}.
   */
  record Ret(long value, String text) implements Expect {}

  /** {@code expect=BUG}: the statement must hit a kernel BUG (or touch a container that did). */
  record Bug() implements Expect {
    @Override
    public String text() {
      return "BUG";
    }
  }
}
