package org.vfiosim.script;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every behavioural-case script under {@code scripts/cases/} must parse. */
class CaseScriptsParseTest {

  static Path dir() throws URISyntaxException {
    return Path.of(CaseScriptsParseTest.class.getResource("/scripts/cases").toURI());
  }

  static List<Path> scripts() throws IOException, URISyntaxException {
    try (Stream<Path> s = Files.list(dir())) {
      return s.filter(p -> p.getFileName().toString().endsWith(".vfs"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  @Test
  void directoryIsNotEmpty() throws Exception {
    assertFalse(scripts().isEmpty(), "no .vfs files under scripts/cases");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scripts")
  void parses(Path script) throws IOException {
    try {
      Script s = ScriptParser.parseFile(script);
      assertFalse(s.statements().isEmpty(), script + ": no statements");
    } catch (ScriptError e) {
      fail(e.getMessage());
    }
  }
}
