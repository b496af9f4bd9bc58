package org.vfiosim.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden files in {@code src/test/resources/golden/perf-*.txt} were written with C printf using
 * the format strings of {@code print_header_stdio} / {@code print_lock_stat_stdio}, from numbers
 * worked out by hand (see {@link Scenarios}).
 */
class PerfLockWriterTest {
  private static final double GHZ = 3.0;
  private static final String HEADER =
      " contended   total wait     max wait     avg wait         type   caller\n\n";

  @Test
  void uncontendedMutexPrintsTheHeaderOnly() {
    String out = PerfLockWriter.render(Scenarios.uncontendedMutex(), GHZ);
    assertThat(out).isEqualTo(Golden.read("perf-a-uncontended.txt"));
    assertThat(out).isEqualTo(HEADER);
  }

  @Test
  void emptyInputPrintsTheHeaderOnly() {
    assertThat(PerfLockWriter.render(List.of(), GHZ)).isEqualTo(HEADER);
  }

  @Test
  void contendedMutexRowsPerCallerByTotalWait() {
    assertThat(PerfLockWriter.render(Scenarios.contendedMutex(), GHZ))
        .isEqualTo(Golden.read("perf-b-contended.txt"));
  }

  @Test
  void rwsemReadAndWriteWaitsAreSeparateTypes() {
    assertThat(PerfLockWriter.render(Scenarios.rwsem(), GHZ)).isEqualTo(Golden.read("perf-c-rwsem.txt"));
  }

  @Test
  void longNamesArePrintedInFullAndTiesSortBySymbol() {
    assertThat(PerfLockWriter.render(Scenarios.longNames(), GHZ))
        .isEqualTo(Golden.read("perf-d-long-names.txt"));
  }

  @Test
  void aWaitThatRoundsToZeroNanosecondsIsNotPrinted() {
    assertThat(PerfLockWriter.render(Scenarios.timeEdges(), GHZ))
        .isEqualTo(Golden.read("perf-e-time-edges.txt"));
  }

  @Test
  void unitsSwitchFromNanosecondsToHours() {
    assertThat(PerfLockWriter.render(Scenarios.perfUnits(), 1.0)).isEqualTo(Golden.read("perf-e-units.txt"));
  }

  /**
   * Expected strings from perf's lock_stat_key_print_time compiled with gcc (x86-64): the value is
   * a float, and %.2f rounds the exact binary value half-to-even (Java's %.2f would give 1.13 for
   * 1125 ns, 1.01 for 1005 ns; the float comparison puts 999999999 ns in seconds).
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0|        0 ns",
        "1|        1 ns",
        "4|        4 ns",
        "999|      999 ns",
        "1000|     1.00 us",
        "1005|     1.00 us",
        "1015|     1.01 us",
        "1025|     1.02 us",
        "1125|     1.12 us",
        "33333|    33.33 us",
        "999994|   999.99 us",
        "999995|   999.99 us",
        "999999|  1000.00 us",
        "1000000|     1.00 ms",
        "1234567|     1.23 ms",
        "999999999|     1.00 s ",
        "1000000000|     1.00 s ",
        "59999999999|    60.00 s ",
        "60000000000|     1.00 m ",
        "3599999999999|     1.00 h ",
        "3600000000000|     1.00 h ",
        "1000000000000000|   277.78 h ",
        "1000000000000000000|277777.78 h ",
        "9223372036854775807|2562047.75 h ",
      },
      ignoreLeadingAndTrailingWhitespace = false)
  void printTime(long ns, String expected) {
    assertThat(PerfLockWriter.printTime(ns, 12)).isEqualTo(expected);
  }
}
