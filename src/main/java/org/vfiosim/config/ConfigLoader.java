package org.vfiosim.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** A loaded configuration. {@code scenarioName} is the scenario file's base name. */
  public record Loaded(Config config, Config costs, String scenarioName, Path scenarioFile, Path costsFile) {
    public ConfigView view() {
      return new ConfigView(config);
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
    if (!user.hasPath("vfiosim.scenario")) {
      throw new UserError(file + ": missing vfiosim.scenario (the scenario kind, e.g. mutex-bench)");
    }
    for (String s : sets) {
      user = parseSet(s).withFallback(user);
    }
    checkKnown(user, defaults, "vfiosim");
    Config merged;
    try {
      merged = user.withFallback(defaults).resolve();
    } catch (ConfigException e) {
      throw new UserError(oneLine(e));
    }
    Path costsFile = costsOverride;
    if (costsFile == null) {
      String c = merged.getString("vfiosim.costs");
      costsFile = c.endsWith(".conf") ? home.resolve(c) : home.resolve("conf/costs").resolve(c + ".conf");
    }
    Config defaultCosts = parseFile(home.resolve(DEFAULT_COSTS), "cost model");
    Config costs = parseFile(costsFile, "cost model");
    checkKnown(costs, defaultCosts, "costs");
    try {
      costs = costs.withFallback(defaultCosts).resolve();
    } catch (ConfigException e) {
      throw new UserError(oneLine(e));
    }
    String base = file.getFileName().toString();
    String scenarioName = base.endsWith(".conf") ? base.substring(0, base.length() - 5) : base;
    return new Loaded(merged, costs, scenarioName, file, costsFile);
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
   * given (key-checked against the default model).
   */
  public static Config loadCosts(Path home, Path costsFile) {
    Config defaultCosts = parseFile(home.resolve(DEFAULT_COSTS), "cost model");
    if (costsFile == null) {
      return defaultCosts.resolve();
    }
    Config costs = parseFile(costsFile, "cost model");
    checkKnown(costs, defaultCosts, "costs");
    try {
      return costs.withFallback(defaultCosts).resolve();
    } catch (ConfigException e) {
      throw new UserError(oneLine(e));
    }
  }

  static Config parseFile(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new UserError(file + ": no such " + what + " file");
    }
    try {
      return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      throw new UserError(oneLine(e));
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

  /** Every leaf of {@code user} under {@code root} must exist in {@code defaults} with a compatible type. */
  static void checkKnown(Config user, Config defaults, String root) {
    for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
      String path = e.getKey();
      ConfigValue v = e.getValue();
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
      if (!compatible(user, path, want)) {
        throw new UserError(where(v.origin()) + path + " must be " + article(want) + ", got '"
            + v.unwrapped() + "'");
      }
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
