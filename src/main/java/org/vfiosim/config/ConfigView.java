package org.vfiosim.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;

/**
 * Typed, range-checked reads of a loaded configuration. A bad value becomes a {@link UserError}
 * naming where it was set and what is wrong, e.g.
 * {@code conf/scenarios/x.conf:4: vfiosim.workload.clients must be at least 1, got -3}.
 */
public final class ConfigView {
  private final Config config;

  public ConfigView(Config config) {
    this.config = config;
  }

  public Config config() {
    return config;
  }

  public long longAtLeast(String path, long min) {
    long v = getLong(path);
    if (v < min) {
      throw bad(path, "must be at least " + min + ", got " + v);
    }
    return v;
  }

  public long longBetween(String path, long min, long max) {
    long v = getLong(path);
    if (v < min || v > max) {
      throw bad(path, "must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  public int intAtLeast(String path, int min) {
    return (int) longBetween(path, min, Integer.MAX_VALUE);
  }

  public int intBetween(String path, int min, int max) {
    return (int) longBetween(path, min, max);
  }

  public double positiveDouble(String path) {
    double v;
    try {
      v = config.getDouble(path);
    } catch (ConfigException e) {
      throw bad(path, "must be a number");
    }
    if (!(v > 0) || Double.isInfinite(v)) {
      throw bad(path, "must be a positive number, got " + v);
    }
    return v;
  }

  /** A size in bytes ({@code 4G}, {@code 128M}, or a number), between {@code min} and {@code max}. */
  public long bytesBetween(String path, long min, long max) {
    long v;
    try {
      v = config.getBytes(path);
    } catch (ConfigException e) {
      throw bad(path, "must be a size such as 4G or 128M");
    }
    if (v < min || v > max) {
      throw bad(path, "must be between " + min + " and " + max + " bytes, got " + v);
    }
    return v;
  }

  /** A number in [min, max]. */
  public double doubleBetween(String path, double min, double max) {
    double v;
    try {
      v = config.getDouble(path);
    } catch (ConfigException e) {
      throw bad(path, "must be a number");
    }
    if (!(v >= min && v <= max)) {
      throw bad(path, "must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  public boolean getBoolean(String path) {
    try {
      return config.getBoolean(path);
    } catch (ConfigException e) {
      throw bad(path, "must be true or false");
    }
  }

  public String getString(String path) {
    try {
      return config.getString(path);
    } catch (ConfigException e) {
      throw bad(path, "must be a string");
    }
  }

  /** One of {@code allowed} (the message lists them). */
  public String oneOf(String path, String... allowed) {
    String v = getString(path);
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw bad(path, "must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
  }

  public long getLong(String path) {
    try {
      return config.getLong(path);
    } catch (ConfigException.WrongType e) {
      throw bad(path, "must be an integer");
    } catch (ConfigException e) {
      throw new UserError(ConfigLoader.oneLine(e));
    }
  }

  /** A UserError about {@code path}, located where its value was set. */
  public UserError bad(String path, String what) {
    String where = "";
    if (config.hasPathOrNull(path)) {
      ConfigValue v = config.getValue(path);
      where = ConfigLoader.where(v.origin());
    }
    return new UserError(where + path + " " + what);
  }
}
