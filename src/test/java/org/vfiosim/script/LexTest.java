package org.vfiosim.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LexTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "0, 0",
    "4096, 4096",
    "010, 10",
    "0x0, 0",
    "0x1000, 4096",
    "0xFFff, 65535",
    "4K, 4096",
    "64K, 65536",
    "2M, 2097152",
    "1G, 1073741824",
    "8G, 8589934592",
    "0K, 0",
    "9223372036854775807, 9223372036854775807",
    "0x7fffffffffffffff, 9223372036854775807",
    "0xffffffffffffffff, -1",
    "0x8000000000000000, -9223372036854775808",
    "0x00000000000000000001, 1",
    "8589934591G, 9223372035781033984",
  })
  void numbers(String text, long value) {
    assertThat(Lex.number(text, false)).hasValue(value);
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(
      strings = {
        "", "x12", "0x", "0X10", "0xg", "12a", "1k", "4KB", "K", "0x10K", "-1", "+1", "1.5",
        "9223372036854775808", "99999999999999999999", "0x10000000000000000", "8589934592G",
        "1 0", "١٢", "1_000"
      })
  void notNumbers(String text) {
    assertThat(Lex.number(text, false)).isEmpty();
  }

  @Test
  void negativeNumbersOnlyWhenAllowed() {
    assertThat(Lex.number("-22", true)).hasValue(-22);
    assertThat(Lex.number("-0x16", true)).hasValue(-22);
    assertThat(Lex.number("-9223372036854775808", true)).hasValue(Long.MIN_VALUE);
    assertThat(Lex.number("-0x8000000000000000", true)).hasValue(Long.MIN_VALUE);
    assertThat(Lex.number("-9223372036854775809", true)).isEmpty();
    assertThat(Lex.number("-0x8000000000000001", true)).isEmpty();
    assertThat(Lex.number("-", true)).isEmpty();
    assertThat(Lex.number("--1", true)).isEmpty();
    assertThat(Lex.number("-4K", true)).hasValue(-4096);
    assertThat(Lex.number("-22", false)).isEqualTo(OptionalLong.empty());
  }

  @Test
  void wordsAndTrim() {
    assertThat(Lex.words("a  b\tc\r")).containsExactly("a", "b", "c\r".trim());
    assertThat(Lex.trim(" \t x y \r")).isEqualTo("x y");
    assertThat(Lex.words("x")).containsExactly("x");
  }

  @Test
  void names() {
    assertThat(Lex.isName("vm1")).isTrue();
    assertThat(Lex.isName("_a.b-c")).isTrue();
    assertThat(Lex.isName("1vm")).isFalse();
    assertThat(Lex.isName("a,b")).isFalse();
    assertThat(Lex.isName("")).isFalse();
  }

  @Test
  void gpuIndex() {
    assertThat(Lex.gpuIndex("gpu0")).isZero();
    assertThat(Lex.gpuIndex("gpu12")).isEqualTo(12);
    assertThat(Lex.gpuIndex("gpu")).isEqualTo(-1);
    assertThat(Lex.gpuIndex("gpu01")).isEqualTo(-1);
    assertThat(Lex.gpuIndex("gpux")).isEqualTo(-1);
    assertThat(Lex.gpuIndex("gpu99999999999")).isEqualTo(-1);
    assertThat(Lex.gpuIndex("cpu0")).isEqualTo(-1);
  }

  @Test
  void quotingKeepsMessagesOnOneLine() {
    assertThat(Lex.q("abc")).isEqualTo("'abc'");
    assertThat(Lex.q("a\u0000b\u2028c\u0085d\u001b")).isEqualTo("'a\\u0000b\\u2028c\\u0085d\\u001B'");
    assertThat(Lex.q("\ud800x")).isEqualTo("'\\uD800x'");
    assertThat(Lex.q("x".repeat(100))).isEqualTo("'" + "x".repeat(60) + "...'");
  }
}
