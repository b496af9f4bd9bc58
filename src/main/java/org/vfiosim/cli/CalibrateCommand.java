package org.vfiosim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vfiosim.calib.Calibration;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.kernel.Costs;
import org.vfiosim.report.Outputs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vfiosim calibrate [--costs FILE] [--out DIR]}: the published figures against the model. */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    header = "Measures the seed series' published figures on the modelled kernel paths.",
    description = {
      "Measures the published figures of Yan Zhao's v5.7 series and Xiaoyang Xu's",
      "contiguous pinning on the modelled kernel paths (op scripts replayed with",
      "timing) under a cost model; prints figure, source, target, simulated, ok and",
      "writes DIR/calibration.json.",
      "Exit status: 0 every figure within its target; 1 otherwise; 2 bad input."
    })
final class CalibrateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--costs", paramLabel = "FILE", description = "Cost model (default: conf/costs/default.conf).")
  Path costs;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: out/calibration).")
  Path out;

  @Override
  public Integer call() {
    Costs c = new Costs(ConfigLoader.loadCosts(ConfigLoader.home(), costs));
    Path dir = Outputs.checkDir("--out", out != null ? out : Path.of("out", "calibration"));
    List<Calibration.Figure> figures = Calibration.run(c);
    Outputs.write(dir.resolve("calibration.json"), json(figures));
    PrintWriter w = spec.commandLine().getOut();
    w.print(table(figures));
    long bad = figures.stream().filter(f -> !f.ok()).count();
    w.println(bad == 0 ? "all " + figures.size() + " figures within their targets"
        : bad + " of " + figures.size() + " figures outside their targets");
    for (Calibration.Figure f : figures) {
      if (!f.ok() && !f.why().isEmpty()) {
        w.println("  " + f.id() + ": " + f.why());
      }
    }
    w.println("wrote " + dir.resolve("calibration.json"));
    w.flush();
    return bad == 0 ? 0 : 1;
  }

  /** {@code {"figures":[{"id","source","target_low","target_high","simulated","ok"}]}}. */
  static String json(List<Calibration.Figure> figures) {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = m.createObjectNode();
    ArrayNode arr = root.putArray("figures");
    for (Calibration.Figure f : figures) {
      ObjectNode n = arr.addObject();
      n.put("id", f.id());
      n.put("source", f.source());
      n.put("target_low", f.targetLow());
      n.put("target_high", f.targetHigh());
      n.put("simulated", org.vfiosim.report.ResultsJson.round1(f.simulated()));
      n.put("ok", f.ok());
    }
    try {
      return m.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String table(List<Calibration.Figure> figures) {
    StringBuilder b = new StringBuilder();
    String fmt = "%-30s %-62s %-17s %10s  %s%n";
    b.append(String.format(Locale.ROOT, fmt, "figure", "source", "target", "simulated", "ok"));
    for (Calibration.Figure f : figures) {
      String target = f.targetLow() == f.targetHigh() ? num(f.targetLow())
          : num(f.targetLow()) + " .. " + num(f.targetHigh());
      String sim = String.format(Locale.ROOT, "%.1f", f.simulated());
      b.append(String.format(Locale.ROOT, fmt, f.id(), f.source(), target + " " + f.unit(), sim,
          (f.ok() ? "ok" : "NO") + (f.note().isEmpty() ? "" : "  (" + f.note() + ")")));
    }
    return b.toString();
  }

  private static String num(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
