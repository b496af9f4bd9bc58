package org.vfiosim.run;

import static org.assertj.core.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.config.UserError;

/**
 * Seeded fuzzing of the configuration: random {@code --set} keys and values, mutated scenario files
 * and cost models (truncated, spliced with odd tokens, random bytes). Whatever the input, loading
 * and building the scenario ({@link Runner#prepare}, everything {@code vfiosim run} checks before
 * it starts) either succeeds or throws a {@link UserError} whose message is one line naming the
 * file (and line), the {@code --set}, or the key; never another exception. Each case has its own
 * seed (base + index), printed on failure; {@code -Dvfiosim.fuzz.seed=N} moves the base.
 */
class ConfigFuzzTest {
  private static final long BASE_SEED = Long.getLong("vfiosim.fuzz.seed", 0xc0_f1_65L);
  private static final int CASES = 1000;
  private static final Path HOME = ConfigLoader.home();

  /** Values that break types, ranges and the HOCON syntax (no huge valid value: it would only build a big model). */
  private static final String[] VALUES = {
    "", "-1", "0", "-0", "1.5", "1e400", "-1e400", "9223372036854775808", "99999999999999999999", "NaN",
    "Infinity", "0x10", "1G", "-4G", "1Z", "true", "false", "null", "[1,2]", "[]", "{}", "{a=1}", "\"x\"",
    "\"\"", "${undefined}", "${vfiosim.seed}", "v5.6", "v9", "gvt-fleet", "mutex-bench", "nope", "\"vm3v0/kvmgt\"",
    "\"vfio\"", "default", "nope.conf", "/dev/null", "4294967296", "2147483648", "=", "{", "}", "[", "\"", "#",
    "\u0000", "\u2028", "\ud800", "é", "a\nb", "1 2", "0.000001", "1e-9", "3000000000000",
  };

  private static final String[] INSERTS = {
    "=", ":", ",", "{", "}", "[", "]", "\"", "#", "//", "\n", " ", "\t", "${", "${x}", "include \"nope\"",
    "include required(\"nope.conf\")", "9999999999999999999999", "-", ".", "..", "vfiosim.", "x = 1\n",
    "vfiosim.nope = 1\n", "costs.nope = 1\n", "\u0000", "\ud83d", "\r", "+=", "?", "NaN",
  };

  @TempDir
  static Path tmp;

  private static List<String> keys;
  private static List<String> costKeys;
  private static List<String> scenarios;
  private static String costs;

  @BeforeAll
  static void corpus() throws IOException {
    keys = new ArrayList<>();
    for (var e : ConfigFactory.parseFile(HOME.resolve(ConfigLoader.DEFAULTS).toFile()).entrySet()) {
      if (e.getKey().startsWith("vfiosim.")) {
        keys.add(e.getKey());
      }
    }
    keys.sort(null);
    costKeys = new ArrayList<>();
    for (var e : ConfigFactory.parseFile(HOME.resolve(ConfigLoader.DEFAULT_COSTS).toFile()).entrySet()) {
      costKeys.add(e.getKey());
    }
    costKeys.sort(null);
    scenarios = new ArrayList<>();
    for (String s : new String[] {"mutex-bench", "gvt-fleet", "faults-actor-crash"}) {
      scenarios.add(Files.readString(HOME.resolve("conf/scenarios/" + s + ".conf")));
    }
    costs = Files.readString(HOME.resolve(ConfigLoader.DEFAULT_COSTS));
  }

  @Test
  void random_sets() {
    run("sets", (r, c) -> {
      List<String> sets = new ArrayList<>();
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        sets.add(key(r) + (r.nextInt(20) == 0 ? "" : "=") + value(r));
      }
      c.sets = sets;
      c.scenario = HOME.resolve(r.nextBoolean() ? "conf/scenarios/mutex-bench.conf" : "conf/scenarios/gvt-fleet.conf");
    });
  }

  @Test
  void mutated_scenario_files() {
    run("scenario", (r, c) -> {
      c.input = mutate(r, scenarios.get(r.nextInt(scenarios.size())));
      c.scenario = write("scenario", c.input);
    });
  }

  @Test
  void mutated_cost_models() {
    run("costs", (r, c) -> {
      c.input = mutate(r, costs);
      c.costs = write("costs", c.input);
      c.sets = List.of("vfiosim.costs=\"" + c.costs + "\"");
      c.scenario = HOME.resolve("conf/scenarios/mutex-bench.conf");
    });
  }

  /** One case: what to load. */
  static final class Case {
    Path scenario;
    List<String> sets = List.of();
    Path costs;
    String input;
  }

  private static void run(String generator, BiConsumer<Random, Case> make) {
    for (int i = 0; i < CASES; i++) {
      long seed = BASE_SEED + i;
      Case c = new Case();
      make.accept(new Random(seed), c);
      String where = generator + " seed " + seed + ": sets " + c.sets + ", scenario " + c.scenario
          + (c.input == null ? "" : " containing \"" + escape(c.input) + "\"");
      try {
        Runner.prepare(HOME, c.scenario, c.sets, null, null);
      } catch (UserError e) {
        String m = e.getMessage();
        if (m == null || m.isBlank() || m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
          fail(where + ": not one line: \"" + escape(String.valueOf(m)) + "\"");
        }
        if (!locates(m, c)) {
          fail(where + ": names no file, --set or key: \"" + escape(m) + "\"");
        }
        if (i % 10 == 0) {
          throughTheCli(where, c, m);
        }
      } catch (Throwable t) {
        fail(where + " threw " + t, t);
      }
    }
  }

  /** The same input to {@code vfiosim run}: exit status 2 and the one line on stderr, nothing else. */
  private static void throughTheCli(String where, Case c, String message) {
    List<String> args = new ArrayList<>(List.of("run", c.scenario.toString(), "--no-progress", "--out",
        tmp.resolve("never").toString()));
    for (String s : c.sets) {
      args.add("--set");
      args.add(s);
    }
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int status = org.vfiosim.cli.Main.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
        args.toArray(String[]::new));
    if (status != 2 || !err.toString().equals("vfiosim: " + message + System.lineSeparator())
        || !out.toString().isEmpty()) {
      fail(where + ": through the CLI, status " + status + ", stderr \"" + escape(err.toString()) + "\"");
    }
  }

  /** The message names the file (scenario or cost model), a --set, or a key path. */
  private static boolean locates(String m, Case c) {
    if (m.contains(c.scenario.getFileName().toString()) || m.contains("--set ")) {
      return true;
    }
    if (c.costs != null && m.contains(c.costs.getFileName().toString())) {
      return true;
    }
    return m.matches("(?s).*\\b(vfiosim|costs)\\.[a-z0-9-]+.*");
  }

  private static String key(Random r) {
    List<String> from = r.nextInt(5) == 0 ? prefixed(costKeys) : keys;
    String k = from.get(r.nextInt(from.size()));
    switch (r.nextInt(8)) {
      case 0 -> {
        int p = r.nextInt(k.length());
        return k.substring(0, p) + k.substring(p + 1); // a typo: a letter dropped
      }
      case 1 -> {
        return k + "." + "x";
      }
      case 2 -> {
        return k.substring(0, Math.max(1, k.lastIndexOf('.'))); // a section, not a leaf
      }
      case 3 -> {
        return INSERTS[r.nextInt(INSERTS.length)] + k;
      }
      default -> {
        return k;
      }
    }
  }

  private static List<String> prefixed(List<String> l) {
    List<String> out = new ArrayList<>();
    for (String k : l) {
      out.add(k.startsWith("costs.") ? k : "costs." + k);
    }
    return out;
  }

  private static String value(Random r) {
    if (r.nextInt(6) == 0) {
      byte[] b = new byte[r.nextInt(12)];
      r.nextBytes(b);
      return new String(b, StandardCharsets.ISO_8859_1);
    }
    return VALUES[r.nextInt(VALUES.length)];
  }

  /** Truncates, deletes or duplicates lines, splices odd tokens or values, or replaces it with random bytes. */
  private static String mutate(Random r, String text) {
    int n = 1 + r.nextInt(3);
    String s = text;
    for (int i = 0; i < n; i++) {
      int at = s.isEmpty() ? 0 : r.nextInt(s.length());
      switch (r.nextInt(7)) {
        case 0 -> s = s.substring(0, at);
        case 1 -> s = s.substring(0, at) + INSERTS[r.nextInt(INSERTS.length)] + s.substring(at);
        case 2 -> s = s.substring(0, at) + VALUES[r.nextInt(VALUES.length)] + s.substring(at);
        case 3 -> {
          // replace the value after the next '='
          int eq = s.indexOf('=', at);
          int nl = eq < 0 ? -1 : s.indexOf('\n', eq);
          if (nl > 0) {
            s = s.substring(0, eq + 1) + " " + VALUES[r.nextInt(VALUES.length)] + s.substring(nl);
          }
        }
        case 4 -> {
          // duplicate or delete a line
          String[] lines = s.split("\n", -1);
          int l = r.nextInt(lines.length);
          StringBuilder sb = new StringBuilder();
          for (int k = 0; k < lines.length; k++) {
            if (k != l || r.nextBoolean()) {
              sb.append(lines[k]).append('\n');
            }
            if (k == l && r.nextBoolean()) {
              sb.append(lines[k]).append('\n');
            }
          }
          s = sb.toString();
        }
        case 5 -> {
          byte[] b = new byte[r.nextInt(200)];
          r.nextBytes(b);
          s = new String(b, r.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        }
        default -> {
          // a known key with an odd value, inside the vfiosim block or at the top
          String k = keys.get(r.nextInt(keys.size()));
          s = s + "\n" + k + " = " + VALUES[r.nextInt(VALUES.length)] + "\n";
        }
      }
    }
    return s;
  }

  private static int files;

  private static Path write(String what, String content) {
    try {
      Path f = tmp.resolve(what + "-" + (files++ % 16) + ".conf");
      Files.write(f, content.getBytes(StandardCharsets.UTF_8)); // a lone surrogate becomes '?'
      return f;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (ch == '\n') {
        sb.append("\\n");
      } else if (ch < 0x20 || ch > 0x7e) {
        sb.append(String.format("\\u%04x", (int) ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.length() > 400 ? sb.substring(0, 400) + "..." : sb.toString();
  }
}
