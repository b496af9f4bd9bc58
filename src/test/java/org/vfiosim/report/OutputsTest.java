package org.vfiosim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every output is written atomically: a write that fails midway leaves the previous file whole. */
class OutputsTest {
  @TempDir
  Path dir;

  @Test
  void a_write_failing_midway_leaves_the_previous_complete_file_and_no_temporary() throws IOException {
    Path f = dir.resolve("results.json");
    Outputs.write(f, "{\"complete\": true}\n");
    assertThatThrownBy(() -> Outputs.write(f, w -> {
      w.write("{\"complete\": fal");
      w.flush();
      throw new IOException("disk full");
    })).isInstanceOf(UncheckedIOException.class).hasMessageContaining("disk full");
    assertThat(f).hasContent("{\"complete\": true}");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("results.json");
    }
  }

  @Test
  void a_body_throwing_an_unchecked_exception_leaves_the_previous_file_too() throws IOException {
    Path f = dir.resolve("trace.json");
    Outputs.write(f, "old\n");
    assertThatThrownBy(() -> Outputs.write(f, w -> {
      w.write("new, half");
      throw new IllegalStateException("writer bug");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(f).hasContent("old");
    assertThat(dir.resolve(".trace.json.tmp")).doesNotExist();
  }
}
