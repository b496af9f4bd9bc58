package org.vfiosim.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Loads a run's configuration: defaults ({@code conf/application.conf}), then the scenario file,
 * then each {@code --set key=value} in order; and the cost model ({@code conf/costs/NAME.conf}).
 *
 * <p>Strict: every key the user gives under {@code vfiosim} or {@code costs} must exist in the
 * defaults with a compatible type, or the run stops with one line naming the file and line (or
 * the {@code --set}) and the key. Keys under {@code akka} pass through to Akka.
 */
public final class ConfigLoader {
  public static final String DEFAULTS = "conf/application.conf";
  public static final String DEFAULT_COSTS = "conf/costs/default.conf";

  /**
   * A loaded configuration. {@code scenarioName} is the scenario file's base name; {@code user} holds
   * only what the scenario file and the {@code --set}s give (unresolved, no defaults).
   */
  public record Loaded(Config config, Config costs, String scenarioName, Path scenarioFile, Path costsFile,
      Config user) {
    public ConfigView view() {
      return new ConfigView(config);
    }

    /**
     * The first key under {@code section} the user set (scenario file or {@code --set}), in key
     * order, with where it was set; null when none.
     */
    public String firstSetUnder(String section) {
      if (!hasPath(user, section) || !config.hasPath(section)) {
        return null;
      }
      java.util.TreeMap<String, String> keys = new java.util.TreeMap<>();
      for (var e : config.getConfig(section).entrySet()) {
        String key = section + "." + e.getKey();
        if (hasPath(user, key)) {
          keys.put(key, where(e.getValue().origin()));
        }
      }
      var first = keys.firstEntry();
      return first == null ? null : first.getValue() + first.getKey();
    }
  }

  private ConfigLoader() {}

  /** The vfiosim home: {@code -Dvfiosim.home}, else the working directory. */
  public static Path home() {
    String h = System.getProperty("vfiosim.home");
    return Path.of(h == null || h.isBlank() ? "." : h).toAbsolutePath().normalize();
  }

  /**
   * @param scenario scenario file, or null for {@code vfiosim.scenario} of the defaults
   * @param sets {@code key=value} overrides, applied in order
   * @param costsOverride cost model file, or null for {@code vfiosim.costs}
   */
  public static Loaded load(Path home, Path scenario, List<String> sets, Path costsOverride) {
    Config defaults = parseFile(home.resolve(DEFAULTS), "defaults");
    Path file = scenario;
    if (file == null) {
      String name = defaults.getString("vfiosim.scenario");
      file = home.resolve("conf/scenarios").resolve(name + ".conf");
    }
    Config user = parseFile(file, "scenario");
    if (!hasPath(user, "vfiosim.scenario")) {
      throw new UserError(file + ": missing vfiosim.scenario (the scenario kind, e.g. mutex-bench)");
    }
    for (String s : sets) {
      Config one = parseSet(s);
      checkKnown(one, one, defaults, "vfiosim"); // alone: a later --set may hide it in the merge
      user = one.withFallback(user);
    }
    Config merged;
    try {
      merged = user.withFallback(defaults).resolve();
    } catch (ConfigException e) {
      checkKnown(user, user, defaults, "vfiosim"); // an unknown key is the clearer message
      throw new UserError(naming(file, oneLine(e)));
    }
    checkKnown(user, merged, defaults, "vfiosim");
    Path costsFile = costsOverride;
    if (costsFile == null) {
      String c = new ConfigView(merged).getString("vfiosim.costs");
      try {
        costsFile = c.endsWith(".conf") ? home.resolve(c) : home.resolve("conf/costs").resolve(c + ".conf");
      } catch (java.nio.file.InvalidPathException e) {
        throw new ConfigView(merged).bad("vfiosim.costs", "is not a file name: " + e.getReason());
      }
      if (!Files.isRegularFile(costsFile)) {
        throw new ConfigView(merged).bad("vfiosim.costs", "names no cost model: " + costsFile
            + ": no such cost model file");
      }
    }
    Config costs = loadCosts(home, costsFile);
    String base = file.getFileName().toString();
    String scenarioName = base.endsWith(".conf") ? base.substring(0, base.length() - 5) : base;
    return new Loaded(merged, costs, scenarioName, file, costsFile, user);
  }

  /** The defaults alone ({@code conf/application.conf}), resolved. */
  public static Config loadDefaults(Path home) {
    try {
      return parseFile(home.resolve(DEFAULTS), "defaults").resolve();
    } catch (ConfigException e) {
      throw new UserError(oneLine(e));
    }
  }

  /**
   * The cost model alone: {@code conf/costs/default.conf}, overridden by {@code costsFile} when
   * given (key-checked against the default model); every cost a whole, non-negative number of cycles.
   */
  public static Config loadCosts(Path home, Path costsFile) {
    Path defaultsFile = home.resolve(DEFAULT_COSTS);
    Config defaultCosts = parseFile(defaultsFile, "cost model");
    if (costsFile == null) {
      try {
        return cycleCounts(defaultCosts.resolve());
      } catch (ConfigException e) {
        throw new UserError(naming(defaultsFile, oneLine(e)));
      }
    }
    return cycleCounts(checkedCosts(parseFile(costsFile, "cost model"), defaultCosts, costsFile));
  }

  /** Each cost under {@code costs} must be a whole number of cycles, not negative: {@code file:line: key ...}. */
  private static Config cycleCounts(Config costs) {
    List<String> keys = new ArrayList<>();
    costs.getConfig("costs").entrySet().forEach(e -> keys.add("costs." + e.getKey()));
    keys.sort(null);
    for (String key : keys) {
      ConfigValue v = costs.getValue(key);
      if (!(v.unwrapped() instanceof Integer || v.unwrapped() instanceof Long)) { // getLong would truncate 1.5
        throw new UserError(where(v.origin()) + key + " must be a whole number of cycles, got '" + v.unwrapped() + "'");
      }
      long cycles = ((Number) v.unwrapped()).longValue();
      if (cycles < 0) {
        throw new UserError(where(v.origin()) + key + " must not be negative, got " + cycles);
      }
    }
    return costs;
  }

  /** A cost model ({@code file}) over the default one, its keys checked, resolved. */
  private static Config checkedCosts(Config costs, Config defaultCosts, Path file) {
    Config merged;
    try {
      merged = costs.withFallback(defaultCosts).resolve();
    } catch (ConfigException e) {
      checkKnown(costs, costs, defaultCosts, "costs");
      throw new UserError(naming(file, oneLine(e)));
    }
    checkKnown(costs, merged, defaultCosts, "costs");
    return merged;
  }

  /**
   * A merge error names where it broke, which may be the defaults a user's value clashed with:
   * then the user's file leads the message too (a --set names itself).
   */
  private static String naming(Path file, String m) {
    return m.contains(file.getFileName().toString()) || m.contains("--set ") ? m : file + ": " + m;
  }

  /** {@code c.hasPath(path)}, where a substitution on the way counts as present. */
  private static boolean hasPath(Config c, String path) {
    try {
      return c.hasPath(path);
    } catch (ConfigException.NotResolved e) {
      return true;
    }
  }

  /** {@code file} parsed (not resolved); a missing file or a syntax error: one line naming it. */
  public static Config parseFile(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new UserError(file + ": no such " + what + " file");
    }
    try {
      return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      // an error located elsewhere (a missing include) still names the file that asked for it
      throw new UserError(naming(file, oneLine(e)));
    }
  }

  static Config parseSet(String s) {
    int eq = s.indexOf('=');
    if (eq <= 0) {
      throw new UserError("--set " + s + ": expected key=value");
    }
    String key = s.substring(0, eq).trim();
    String value = s.substring(eq + 1).trim();
    try {
      Config c = ConfigFactory.parseString(key + " = " + (value.isEmpty() ? "\"\"" : value),
          ConfigParseOptions.defaults().setOriginDescription("--set " + s));
      if (!c.hasPathOrNull(key)) {
        throw new UserError("--set " + s + ": bad key '" + key + "'");
      }
      return c;
    } catch (ConfigException e) {
      throw new UserError("--set " + s + ": " + stripOrigin(e));
    }
  }

  /**
   * Every leaf the user set under {@code root} must exist in {@code defaults} with a compatible
   * type. The leaves come from {@code user} as written (in file order: the first mistake is the one
   * reported); their values are read from {@code typed}, the same settings with substitutions
   * resolved ({@code user} itself when it has none).
   */
  static void checkKnown(Config user, Config typed, Config defaults, String root) {
    List<Leaf> leaves = new ArrayList<>();
    leaves(user.root(), new ArrayList<>(), leaves);
    leaves.sort(Comparator.comparingInt(Leaf::line).thenComparing(Leaf::path));
    for (Leaf l : leaves) {
      String path = l.path();
      ConfigValue v = l.value();
      if (path.startsWith("akka.")) {
        continue;
      }
      if (!path.equals(root) && !path.startsWith(root + ".")) {
        throw new UserError(where(v.origin()) + "unknown key '" + path + "' (settings live under '" + root + "')");
      }
      if (!defaults.hasPathOrNull(path)) {
        throw new UserError(where(v.origin()) + "unknown key '" + path + "'");
      }
      ConfigValueType want = defaults.getValue(path).valueType();
      if (!compatible(typed, path, want)) {
        throw new UserError(where(v.origin()) + path + " must be " + article(want) + ", got '" + shown(typed, path)
            + "'");
      }
    }
  }


  private record Leaf(String path, ConfigValue value, int line) {}

  /** The leaves under {@code o}; an object that cannot be listed yet (a pending merge) counts as one. */
  private static void leaves(ConfigObject o, List<String> prefix, List<Leaf> out) {
    java.util.Set<String> keys;
    try {
      keys = o.keySet();
    } catch (ConfigException e) {
      out.add(new Leaf(ConfigUtil.joinPath(prefix), o, line(o)));
      return;
    }
    for (String k : keys) {
      ConfigValue v = o.get(k);
      prefix.add(k);
      if (v instanceof ConfigObject child) { // one that cannot be listed yet is a leaf (below)
        leaves(child, prefix, out);
      } else {
        out.add(new Leaf(ConfigUtil.joinPath(prefix), v, line(v)));
      }
      prefix.remove(prefix.size() - 1);
    }
  }

  private static int line(ConfigValue v) {
    ConfigOrigin o = v.origin();
    return o == null ? 0 : o.lineNumber();
  }

  private static String shown(Config c, String path) {
    try {
      return String.valueOf(c.getValue(path).unwrapped());
    } catch (ConfigException e) {
      return "?";
    }
  }

  private static boolean compatible(Config user, String path, ConfigValueType want) {
    try {
      switch (want) {
        case NUMBER -> user.getNumber(path);
        case BOOLEAN -> user.getBoolean(path);
        case STRING -> {
          ConfigValueType got = user.getValue(path).valueType();
          return got == ConfigValueType.STRING || got == ConfigValueType.NUMBER || got == ConfigValueType.BOOLEAN;
        }
        case LIST -> user.getList(path);
        case OBJECT -> {
          return user.getValue(path).valueType() == ConfigValueType.OBJECT;
        }
        default -> {
          return true;
        }
      }
      return true;
    } catch (ConfigException.NotResolved e) {
      return true; // not resolvable: resolving reports it
    } catch (ConfigException e) {
      return false;
    }
  }

  private static String article(ConfigValueType t) {
    return switch (t) {
      case NUMBER -> "a number";
      case BOOLEAN -> "true or false";
      case STRING -> "a string";
      case LIST -> "a list";
      case OBJECT -> "an object";
      default -> "null";
    };
  }

  /** "FILE:LINE: " for a file origin, "--set k=v: " for an override. */
  public static String where(ConfigOrigin o) {
    if (o == null) {
      return "";
    }
    if (o.filename() != null) {
      return o.filename() + (o.lineNumber() > 0 ? ":" + o.lineNumber() : "") + ": ";
    }
    String d = o.description();
    if (d == null) {
      return "";
    }
    return d.replaceFirst(": \\d+$", "") + ": ";
  }

  /** A Typesafe Config error as one line, located as {@code FILE:LINE: message}. */
  static String oneLine(ConfigException e) {
    String m = e.getMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    ConfigOrigin o = e.origin();
    if (o != null && o.description() != null && m.startsWith(o.description() + ": ")) {
      m = where(o) + m.substring(o.description().length() + 2);
    }
    return m.replace('\n', ' ');
  }

  private static String stripOrigin(ConfigException e) {
    String m = e.getMessage();
    if (m == null) {
      return "syntax error";
    }
    ConfigOrigin o = e.origin();
    if (o != null && o.description() != null && m.startsWith(o.description() + ": ")) {
      m = m.substring(o.description().length() + 2);
    }
    return m.replace('\n', ' ');
  }
}
