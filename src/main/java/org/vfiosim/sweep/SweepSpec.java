package org.vfiosim.sweep;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vfiosim.config.UserError;
import org.vfiosim.run.RunSettings;

/**
 * What a sweep runs: swept parameters ({@code --param KEY=V1,V2,...}, in the order given), the
 * generations ({@code --generations}; none means the scenario's own), seeds {@code 1..seeds}, and
 * the {@code --set}s every point shares. {@link #points} is the cross product, the first parameter
 * outermost and the seed innermost.
 */
public final class SweepSpec {
  /** Most seeds a sweep may ask for. */
  public static final int MAX_SEEDS = 1_000_000;

  private final LinkedHashMap<String, List<String>> params;
  private final List<String> generations;
  private final int seeds;
  private final List<String> sets;

  private SweepSpec(LinkedHashMap<String, List<String>> params, List<String> generations, int seeds, List<String> sets) {
    this.params = params;
    this.generations = generations;
    this.seeds = seeds;
    this.sets = sets;
  }

  /**
   * Parses and checks the flags against {@code base}, the scenario's configuration with the
   * {@code --set}s applied. Throws {@link UserError} with one line for any bad input.
   *
   * @param paramFlags each {@code --param} as given: {@code KEY=V1,V2,...}
   * @param generationsFlag the {@code --generations} list, or null
   */
  public static SweepSpec parse(List<String> paramFlags, String generationsFlag, int seeds, List<String> sets,
      Config base) {
    if (paramFlags.isEmpty()) {
      throw new UserError("sweep needs at least one --param KEY=V1,V2,...");
    }
    Set<String> setKeys = new HashSet<>();
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq > 0) {
        setKeys.add(s.substring(0, eq).trim());
      }
    }
    LinkedHashMap<String, List<String>> params = new LinkedHashMap<>();
    for (String flag : paramFlags) {
      int eq = flag.indexOf('=');
      if (eq <= 0) {
        throw new UserError("--param " + flag + ": expected KEY=V1,V2,...");
      }
      String key = flag.substring(0, eq).trim();
      String list = flag.substring(eq + 1);
      if (key.equals("vfiosim.generation")) {
        throw new UserError("--param " + flag + ": sweep generations with --generations");
      }
      if (key.equals("vfiosim.seed")) {
        throw new UserError("--param " + flag + ": sweep seeds with --seeds N (seeds 1..N)");
      }
      if (!key.startsWith("vfiosim.") || !base.hasPathOrNull(key)) {
        throw new UserError("--param " + flag + ": unknown key '" + key + "'");
      }
      if (base.getIsNull(key) || base.getValue(key).valueType() == ConfigValueType.OBJECT) {
        throw new UserError("--param " + flag + ": '" + key + "' is not a single setting");
      }
      if (params.containsKey(key)) {
        throw new UserError("--param " + flag + ": '" + key + "' is swept twice");
      }
      if (setKeys.contains(key)) {
        throw new UserError("--param " + flag + ": '" + key + "' is also given with --set");
      }
      if (list.isBlank()) {
        throw new UserError("--param " + flag + ": empty value list");
      }
      List<String> values = new ArrayList<>();
      for (String v : list.split(",", -1)) {
        String t = v.trim();
        if (t.isEmpty()) {
          throw new UserError("--param " + flag + ": empty value in the list");
        }
        if (values.contains(t)) {
          throw new UserError("--param " + flag + ": value '" + t + "' given twice");
        }
        values.add(t);
      }
      params.put(key, List.copyOf(values));
    }
    List<String> gens = new ArrayList<>();
    if (generationsFlag != null) {
      if (setKeys.contains("vfiosim.generation")) {
        throw new UserError("--generations " + generationsFlag + ": vfiosim.generation is also given with --set");
      }
      for (String g : generationsFlag.split(",", -1)) {
        String t = g.trim();
        if (!List.of(RunSettings.GENERATIONS).contains(t)) {
          throw new UserError("--generations " + generationsFlag + ": unknown generation '" + t + "' (one of "
              + String.join(", ", RunSettings.GENERATIONS) + ")");
        }
        if (gens.contains(t)) {
          throw new UserError("--generations " + generationsFlag + ": generation '" + t + "' given twice");
        }
        gens.add(t);
      }
    }
    if (seeds < 1 || seeds > MAX_SEEDS) {
      throw new UserError("--seeds must be between 1 and " + MAX_SEEDS + ", got " + seeds);
    }
    return new SweepSpec(params, List.copyOf(gens), seeds, List.copyOf(sets));
  }

  /** Swept keys, in {@code --param} order. */
  public List<String> keys() {
    return List.copyOf(params.keySet());
  }

  /** The values of a swept key, in the order given. */
  public List<String> values(String key) {
    return params.get(key);
  }

  /** The generations swept; empty when the scenario's own is used. */
  public List<String> generations() {
    return generations;
  }

  public int seeds() {
    return seeds;
  }

  /**
   * The cross product. {@code scenarioGeneration} names the points when no generation is swept.
   * Throws {@link UserError} if two points would share a directory name.
   */
  public List<SweepPoint> points(String scenarioGeneration) {
    List<String> keys = keys();
    Map<String, String> shortNames = shortNames(keys);
    List<List<SweepPoint.Param>> combos = new ArrayList<>();
    combos.add(List.of());
    for (String k : keys) {
      List<List<SweepPoint.Param>> next = new ArrayList<>();
      for (List<SweepPoint.Param> c : combos) {
        for (String v : params.get(k)) {
          List<SweepPoint.Param> n = new ArrayList<>(c);
          n.add(new SweepPoint.Param(k, v));
          next.add(n);
        }
      }
      combos = next;
    }
    List<String> gens = generations.isEmpty() ? java.util.Collections.singletonList(null) : generations;
    List<SweepPoint> out = new ArrayList<>();
    Map<String, String> byName = new LinkedHashMap<>();
    for (List<SweepPoint.Param> c : combos) {
      for (String g : gens) {
        for (long seed = 1; seed <= seeds; seed++) {
          StringBuilder name = new StringBuilder();
          List<String> pointSets = new ArrayList<>(sets);
          for (SweepPoint.Param p : c) {
            name.append(shortNames.get(p.key())).append('=').append(p.value()).append(',');
            pointSets.add(p.key() + "=" + p.value());
          }
          if (g != null) {
            pointSets.add("vfiosim.generation=" + g);
          }
          name.append("gen=").append(g == null ? scenarioGeneration : g).append(",seed=").append(seed);
          String dir = safe(name.toString());
          if (dir.length() > 255) {
            throw new UserError("sweep point " + name + ": name longer than a directory name may be");
          }
          String clash = byName.put(dir, name.toString());
          if (clash != null) {
            throw new UserError("sweep points '" + clash + "' and '" + name + "' would share the directory points/"
                + dir);
          }
          out.add(new SweepPoint(dir, c, g, seed, pointSets));
        }
      }
    }
    return out;
  }

  /** The last part of each key ({@code clients} for {@code vfiosim.workload.clients}), or the whole key if two share it. */
  static Map<String, String> shortNames(List<String> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : keys) {
      String last = k.substring(k.lastIndexOf('.') + 1);
      long same = keys.stream().filter(o -> o.substring(o.lastIndexOf('.') + 1).equals(last)).count();
      out.put(k, same > 1 ? k : last);
    }
    return out;
  }

  /** A directory name: letters, digits and {@code . _ - + = ,} kept, anything else becomes {@code _}. */
  static String safe(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-' || c == '+' || c == '=' || c == ',';
      sb.append(ok ? c : '_');
    }
    String s = sb.toString();
    return s.startsWith(".") ? "_" + s.substring(1) : s;
  }
}
