package org.vfiosim.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vfiosim.sim.LockClassStats;

/**
 * Golden files in {@code src/test/resources/golden/lockstat-*.txt} were written with C printf
 * using the format strings of v5.10 {@code lockdep_proc.c}, from numbers worked out by hand (see
 * {@link Scenarios}).
 */
class LockStatWriterTest {
  private static final double GHZ = 3.0;

  @Test
  void uncontendedMutex() {
    assertThat(LockStatWriter.render(Scenarios.uncontendedMutex(), GHZ))
        .isEqualTo(Golden.read("lockstat-a-uncontended.txt"));
  }

  @Test
  void contendedMutexWithContentionAndContendingPoints() {
    assertThat(LockStatWriter.render(Scenarios.contendedMutex(), GHZ))
        .isEqualTo(Golden.read("lockstat-b-contended.txt"));
  }

  @Test
  void rwsemPrintsWriteAndReadRowsAndWidensTheDashLine() {
    String out = LockStatWriter.render(Scenarios.rwsem(), GHZ);
    assertThat(out).isEqualTo(Golden.read("lockstat-c-rwsem.txt"));
    // namelen = 22 + 2 for the "-R" suffix
    assertThat(out).contains("\n" + " ".repeat(16) + "-".repeat(24) + "\n");
  }

  @Test
  void namesLongerThan37CharactersAreTruncated() {
    String out = LockStatWriter.render(Scenarios.longNames(), GHZ);
    assertThat(out).isEqualTo(Golden.read("lockstat-d-long-names.txt"));
    assertThat(out).doesNotContain("->lock").doesNotContain("->group_lock");
  }

  @Test
  void timeFormattingEdges() {
    assertThat(LockStatWriter.render(Scenarios.timeEdges(), GHZ))
        .isEqualTo(Golden.read("lockstat-e-time-edges.txt"));
  }

  /** Expected strings checked against the kernel's snprint_time compiled with gcc. */
  @ParameterizedTest
  @CsvSource({
    "0, 0.00",
    "4, 0.00",
    "5, 0.01",
    "14, 0.01",
    "15, 0.02",
    "994, 0.99",
    "995, 1.00",
    "1004, 1.00",
    "1005, 1.01",
    "1250, 1.25",
    "999994, 999.99",
    "999995, 1000.00",
    "99999999999990, 99999999999.99",
    "99999999999995, 100000000000.0",
    "123456789012345, 123456789012.3",
  })
  void snprintTime(long ns, String expected) {
    assertThat(LockStatWriter.snprintTime(ns)).isEqualTo(expected);
  }

  @Test
  void dashAndDotLinesAre221Characters() {
    assertThat(LockStatWriter.LINE_WIDTH).isEqualTo(221);
    List<String> lines = List.of(LockStatWriter.render(Scenarios.contendedMutex(), GHZ).split("\n", -1));
    assertThat(lines.get(1)).isEqualTo("-".repeat(221));
    assertThat(lines.get(3)).isEqualTo("-".repeat(221));
    assertThat(lines).filteredOn(l -> l.startsWith(".")).containsExactly(".".repeat(221));
    assertThat(lines).filteredOn(l -> l.startsWith("-") || l.endsWith("-")).hasSize(4);
    // the column header and the stats rows are one character shorter than the lines: 40 + 12 * 15
    assertThat(lines.get(2)).hasSize(220);
    assertThat(lines.get(5)).endsWith("1.18").hasSize(220);
  }

  @Test
  void emptyInputPrintsTheHeaderOnly() {
    String header = "lock_stat version 0.4\n" + "-".repeat(221) + "\n"
        + Golden.read("lockstat-a-uncontended.txt").split("\n")[2] + "\n" + "-".repeat(221) + "\n\n";
    assertThat(LockStatWriter.render(List.of(), GHZ)).isEqualTo(header);
  }

  @Test
  void classesPrintInTheOrderGiven() {
    List<LockClassStats> classes = new ArrayList<>(Scenarios.longNames());
    String forward = LockStatWriter.render(classes, GHZ);
    Collections.reverse(classes);
    String reversed = LockStatWriter.render(classes, GHZ);
    assertThat(forward.indexOf("_rwsem-W:")).isLessThan(forward.indexOf("_mut:"));
    assertThat(reversed.indexOf("_rwsem-W:")).isGreaterThan(reversed.indexOf("_mut:"));
  }
}
