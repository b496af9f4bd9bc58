package org.vfiosim.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.kernel.Costs;
import org.vfiosim.run.Finding;

/**
 * Every op script under {@code src/test/resources/scripts/} runs green: each is its own dynamic
 * test (the §8 behavioural cases, the errno paths, each generation's lock counts).
 */
class ScriptsReplayTest {
  static final Path ROOT = Path.of("src/test/resources/scripts");
  static final Costs COSTS = new Costs(ConfigLoader.loadCosts(Path.of("."), null));

  @TestFactory
  Stream<DynamicTest> every_script_passes() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(ROOT)) {
      files = s.filter(p -> p.toString().endsWith(".vfs")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    return files.stream().map(f -> DynamicTest.dynamicTest(ROOT.relativize(f).toString(), () -> {
      Script script = ScriptParser.parseFile(f);
      ScriptRunner.Result r = ScriptRunner.run(script, COSTS, false);
      assertThat(r.failed()).as(String.join("\n", r.lines())).isZero();
      assertThat(r.passed()).as("a script must check something").isPositive();
      // the kernel model takes its lock classes in one order only (lockdep would stay quiet)
      assertThat(r.findings()).filteredOn(x -> x.kind() == Finding.Kind.LOCK_ORDER).isEmpty();
    }));
  }
}
