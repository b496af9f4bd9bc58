package org.vfiosim.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.vfiosim.report.Outputs;
import org.vfiosim.report.RunOutputs;
import org.vfiosim.run.RunResult;

/**
 * A point's output files on their way from the node that ran it to the coordinator: the node
 * writes them with {@link RunOutputs#write} (exactly the files and bytes of a local run) into a
 * scratch directory and ships each one gzip-compressed; the coordinator writes them into
 * {@code points/<point>/} the way {@link RunOutputs} does (each atomically, results.json last).
 */
final class PointFiles {
  private PointFiles() {}

  /** Writes the run's outputs into {@code scratch} and returns them compressed, in name order; removes scratch. */
  static List<SweepCoordinator.OutputFile> pack(Path scratch, RunResult r) {
    RunOutputs.write(scratch, r);
    List<SweepCoordinator.OutputFile> out = new ArrayList<>();
    try {
      List<Path> files;
      try (Stream<Path> s = Files.list(scratch)) {
        files = s.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
      }
      for (Path f : files) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
          Files.copy(f, gz);
        }
        out.add(new SweepCoordinator.OutputFile(f.getFileName().toString(), buf.toByteArray()));
      }
      deleteTree(scratch);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the outputs in " + scratch + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Deletes {@code dir} and everything under it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Total compressed bytes. */
  static long size(List<SweepCoordinator.OutputFile> files) {
    long n = 0;
    for (SweepCoordinator.OutputFile f : files) {
      n += f.gzip().length;
    }
    return n;
  }

  /** Writes shipped files into {@code dir}: results.json last; a trace.json left by an earlier run is removed. */
  static void write(Path dir, List<SweepCoordinator.OutputFile> files) {
    Outputs.remove(dir.resolve(RunOutputs.TRACE)); // one shipped (never today) is written below
    SweepCoordinator.OutputFile results = null;
    for (SweepCoordinator.OutputFile f : files) {
      String name = f.name();
      if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
        throw new IllegalArgumentException("bad output file name from a node: " + name);
      }
      if (name.equals(RunOutputs.RESULTS)) {
        results = f;
      } else {
        Outputs.write(dir.resolve(name), unzip(f));
      }
    }
    if (results != null) {
      Outputs.write(dir.resolve(RunOutputs.RESULTS), unzip(results));
    }
  }

  private static String unzip(SweepCoordinator.OutputFile f) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(f.gzip()))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt output file " + f.name() + " from a node: " + e.getMessage(), e);
    }
  }
}
