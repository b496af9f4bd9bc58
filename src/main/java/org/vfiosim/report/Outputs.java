package org.vfiosim.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.vfiosim.config.UserError;

/** Writes output files atomically: a temporary file beside the target, then a rename. */
public final class Outputs {
  private Outputs() {}

  /** What streams a file's content (for files too big to build as one string, e.g. trace.json). */
  @FunctionalInterface
  public interface Body {
    void writeTo(Writer w) throws IOException;
  }

  public static void write(Path file, String content) {
    write(file, w -> w.write(content));
  }

  /**
   * Writes {@code file} through a temporary file beside it, renamed over it once complete: a
   * reader (or a run killed mid-write) sees the previous file or the new one, never part of one.
   * If the body fails, the temporary file is removed and the previous file stays as it was.
   */
  public static void write(Path file, Body body) {
    Path tmp = null;
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      tmp = dir.resolve("." + file.getFileName() + ".tmp");
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        body.writeTo(w);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + reason(e), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the write already failed; that error is the one to report
        }
      }
    }
  }

  /**
   * Checks, before a run starts, that the output directory of {@code flag} (e.g. "--out") can be
   * written: it is a writable directory, or the nearest existing parent is. A directory that
   * cannot be written fails in one line at once rather than after the simulation; nothing is
   * created here (a run that fails before writing leaves no empty directory behind).
   *
   * @throws UserError naming the flag, the directory and what is wrong
   */
  public static Path checkDir(String flag, Path dir) {
    Path p = dir.toAbsolutePath().normalize();
    while (!Files.exists(p)) { // the root always exists
      p = p.getParent();
    }
    if (!Files.isDirectory(p)) {
      throw new UserError(flag + " " + dir + ": " + p + " exists and is not a directory");
    }
    if (!Files.isWritable(p)) {
      throw new UserError(flag + " " + dir + ": permission denied on " + p);
    }
    return dir;
  }

  /** What an I/O failure means, in words (the JDK's messages are often just the path). */
  static String reason(IOException e) {
    if (e instanceof java.nio.file.FileAlreadyExistsException x) {
      return x.getFile() + " exists and is not a directory";
    }
    if (e instanceof java.nio.file.AccessDeniedException x) {
      return "permission denied on " + x.getFile();
    }
    if (e instanceof java.nio.file.NoSuchFileException x) {
      return "no such file or directory: " + x.getFile();
    }
    if (e instanceof java.nio.file.FileSystemException x && x.getReason() != null) {
      return x.getReason() + (x.getFile() == null ? "" : ": " + x.getFile());
    }
    return e.getMessage();
  }

  /** Removes an output left by an earlier run into the same directory. */
  public static void remove(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + file + ": " + e.getMessage(), e);
    }
  }
}
