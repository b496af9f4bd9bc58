package org.vfiosim.script;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Lexical rules of {@code .vfs} scripts: blanks, words, numbers, and quoting for messages. */
final class Lex {
  private Lex() {}

  /** Longest piece of user text quoted in a message, in code points. */
  private static final int QUOTE_MAX = 60;

  /**
   * Blanks separate words. Space and tab per the contract; CR, FF and VT are treated alike so that
   * CRLF files and stray control blanks do not produce odd words.
   */
  static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\u000b';
  }

  /** The line without leading and trailing blanks. */
  static String trim(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && isBlank(s.charAt(b))) {
      b++;
    }
    while (e > b && isBlank(s.charAt(e - 1))) {
      e--;
    }
    return s.substring(b, e);
  }

  /** The words of a trimmed, non-empty line. */
  static String[] words(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && isBlank(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !isBlank(s.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(s.substring(start, i));
      }
    }
    return out.toArray(new String[0]);
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /**
   * A number: decimal ({@code 4096}), {@code 0x} hex ({@code 0x1000}), or decimal with a size suffix
   * {@code K}, {@code M} or {@code G} (powers of 1024: {@code 4K}, {@code 64K}, {@code 2M}, {@code
   * 1G}, and likewise {@code 8G}). Suffixes are upper case and only on decimal numbers.
   *
   * <p>Range: decimal values (after the suffix) must fit a signed {@code long}. Hex takes up to 64
   * bits and is the {@code long} bit pattern of an unsigned value ({@code 0xffffffffffffffff} is
   * -1L), as kernel {@code u64} / {@code unsigned long} arguments are. With {@code allowNegative}, a
   * leading {@code -} negates (down to {@link Long#MIN_VALUE}); without it, {@code -} is an error.
   *
   * @return empty when {@code s} is not such a number
   */
  static OptionalLong number(String s, boolean allowNegative) {
    int n = s.length();
    int i = 0;
    boolean neg = false;
    if (i < n && s.charAt(i) == '-') {
      if (!allowNegative) {
        return OptionalLong.empty();
      }
      neg = true;
      i++;
    }
    if (i >= n) {
      return OptionalLong.empty();
    }
    if (s.startsWith("0x", i)) {
      i += 2;
      if (i >= n) {
        return OptionalLong.empty();
      }
      long v = 0;
      for (; i < n; i++) {
        int d = hexDigit(s.charAt(i));
        if (d < 0 || (v >>> 60) != 0) {
          return OptionalLong.empty();
        }
        v = (v << 4) | d;
      }
      if (neg) {
        // magnitude is unsigned; -(2^63) is the smallest long
        if (v < 0 && v != Long.MIN_VALUE) {
          return OptionalLong.empty();
        }
        return OptionalLong.of(-v);
      }
      return OptionalLong.of(v);
    }
    // decimal, accumulated negatively so that Long.MIN_VALUE is reachable
    long v = 0;
    int digits = 0;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      int d = c - '0';
      if (v < (Long.MIN_VALUE + d) / 10) {
        return OptionalLong.empty();
      }
      v = v * 10 - d;
      digits++;
    }
    if (digits == 0) {
      return OptionalLong.empty();
    }
    if (i < n) {
      long mult;
      switch (s.charAt(i)) {
        case 'K' -> mult = 1L << 10;
        case 'M' -> mult = 1L << 20;
        case 'G' -> mult = 1L << 30;
        default -> {
          return OptionalLong.empty();
        }
      }
      if (i + 1 != n || v < Long.MIN_VALUE / mult) {
        return OptionalLong.empty();
      }
      v *= mult;
    }
    if (!neg) {
      if (v == Long.MIN_VALUE) {
        return OptionalLong.empty();
      }
      v = -v;
    }
    return OptionalLong.of(v);
  }

  /** Whether {@code s} is a name: a letter or {@code _}, then letters, digits, {@code _ . -}. */
  static boolean isName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    char c0 = s.charAt(0);
    if (!(isAsciiLetter(c0) || c0 == '_')) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** {@code gpuN} → N, or -1 when {@code s} is not of that form (N decimal, no leading zeros). */
  static int gpuIndex(String s) {
    if (!s.startsWith("gpu") || s.length() == 3 || s.length() > 12) {
      return -1;
    }
    String d = s.substring(3);
    if (d.length() > 1 && d.charAt(0) == '0') {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < d.length(); i++) {
      char c = d.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v > Integer.MAX_VALUE ? -1 : (int) v;
  }

  /**
   * User text quoted for a one-line message: {@code 'text'}, with control characters, line and
   * paragraph separators and lone surrogates escaped as {@code \\uXXXX}, cut after {@value
   * #QUOTE_MAX} code points.
   */
  static String q(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), QUOTE_MAX) + 8).append('\'');
    int shown = 0;
    for (int i = 0; i < s.length(); ) {
      if (shown == QUOTE_MAX) {
        b.append("...");
        break;
      }
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      shown++;
      int type = Character.getType(cp);
      if (Character.isISOControl(cp)
          || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR
          || type == Character.SURROGATE
          || type == Character.UNASSIGNED
          || type == Character.FORMAT) {
        if (cp > 0xffff) {
          b.append(String.format("\\U%08X", cp));
        } else {
          b.append(String.format("\\u%04X", cp));
        }
      } else {
        b.appendCodePoint(cp);
      }
    }
    return b.append('\'').toString();
  }
}
