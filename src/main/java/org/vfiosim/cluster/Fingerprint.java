package org.vfiosim.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.vfiosim.cli.Main;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.config.UserError;
import org.vfiosim.run.RunSettings;

/**
 * What must be equal on two members before one runs points for the other: the vfiosim version,
 * a digest of vfiosim's own classes (the same source built twice gives the same digest; a changed
 * model does not) and a digest of the configuration a node resolves runs with (the defaults
 * {@code conf/application.conf} and every cost model under {@code conf/costs/}, as resolved, so
 * comments and layout do not count). A node sends its fingerprint in its hello; the coordinator
 * compares it with its own and rejects a node that differs.
 *
 * @param version the vfiosim version ({@code Implementation-Version}, or "development build")
 * @param code SHA-256 over the names and bytes of the {@code org/vfiosim} classes, in name order
 * @param config SHA-256 over the resolved defaults and cost models, in file name order
 */
public record Fingerprint(String version, String code, String config) implements ClusterMessage {

  private static volatile String codeDigest;

  /** This JVM's fingerprint, with the configuration of {@code home}. */
  public static Fingerprint of(Path home) {
    String v = Main.class.getPackage().getImplementationVersion();
    return new Fingerprint(v == null ? "development build" : v, classesDigest(), configDigest(home));
  }

  /** Why {@code node} may not run this coordinator's points (one line), or null when it may. */
  public String mismatch(Fingerprint node) {
    if (!version.equals(node.version)) {
      return "vfiosim version differs (node " + node.version + ", coordinator " + version + ")";
    }
    if (!code.equals(node.code)) {
      return "vfiosim build differs (classes " + abbrev(node.code) + " on the node, " + abbrev(code)
          + " on the coordinator): install the same build on every member";
    }
    if (!config.equals(node.config)) {
      return "configuration differs (conf/application.conf and conf/costs/*.conf resolve to "
          + abbrev(node.config) + " on the node, " + abbrev(config) + " on the coordinator)";
    }
    return null;
  }

  static String abbrev(String digest) {
    return digest.substring(0, Math.min(12, digest.length()));
  }

  /**
   * The digest of one prepared run's configuration: its {@code vfiosim} and {@code costs}
   * sections exactly as results.json prints them. Equal digests mean equal runs.
   */
  public static String ofRun(RunSettings s) {
    MessageDigest md = sha256();
    md.update(s.config().getConfig("vfiosim").root().render(ConfigRenderOptions.concise())
        .getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    md.update(s.costs().getConfig("costs").root().render(ConfigRenderOptions.concise())
        .getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(md.digest());
  }

  /** The digest of the defaults and every cost model of {@code home}, as resolved. */
  static String configDigest(Path home) {
    MessageDigest md = sha256();
    add(md, "defaults", ConfigLoader.loadDefaults(home).getConfig("vfiosim"));
    Path costsDir = home.resolve("conf/costs");
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(costsDir)) {
      s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UserError(costsDir + ": cannot list the cost models: " + e.getMessage());
    }
    for (Path f : files) {
      add(md, f.getFileName().toString(), ConfigLoader.loadCosts(home, f).getConfig("costs"));
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void add(MessageDigest md, String name, Config c) {
    md.update(name.getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    md.update(c.root().render(ConfigRenderOptions.concise()).getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
  }

  /** The digest of vfiosim's classes, from the jar or the class directory this JVM loaded them from. */
  static String classesDigest() {
    String d = codeDigest;
    if (d == null) {
      d = computeCode();
      codeDigest = d;
    }
    return d;
  }

  private static String computeCode() {
    Path src;
    try {
      src = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("cannot locate vfiosim's classes", e);
    }
    TreeMap<String, byte[]> classes = new TreeMap<>();
    try {
      if (Files.isDirectory(src)) {
        Path root = src.resolve("org/vfiosim");
        try (Stream<Path> s = Files.walk(root)) {
          for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".class"))::iterator) {
            classes.put(src.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
          }
        }
      } else {
        try (JarFile jar = new JarFile(src.toFile())) {
          for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
            if (e.getName().startsWith("org/vfiosim/") && e.getName().endsWith(".class")) {
              try (InputStream in = jar.getInputStream(e)) {
                classes.put(e.getName(), in.readAllBytes());
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read vfiosim's classes in " + src + ": " + e.getMessage(), e);
    }
    MessageDigest md = sha256();
    classes.forEach((name, bytes) -> {
      md.update(name.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(bytes);
    });
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
