package org.vfiosim.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.config.UserError;
import org.vfiosim.kernel.Costs;
import org.vfiosim.script.Script;
import org.vfiosim.script.ScriptError;
import org.vfiosim.script.ScriptParser;
import org.vfiosim.script.ScriptRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vfiosim replay SCRIPT.vfs [--timing] [--costs FILE]}: runs an op script (script-format.md). */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Runs an op script of kernel entry points against the simulated stack, one statement at a time",
      "in virtual time, checking its expect= values and assertions.",
      "Exit status: 0 nothing failed; 1 an expectation, assertion or invariant failed; 2 script error."
    })
final class ReplayCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "SCRIPT.vfs", description = "The op script.")
  Path script;

  @Option(names = "--timing", description = "Append the virtual cycles each statement took.")
  boolean timing;

  @Option(names = "--costs", paramLabel = "FILE", description = "Cost model (default: conf/costs/default.conf).")
  Path costs;

  @Override
  public Integer call() {
    String text;
    try {
      text = Files.readString(script, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserError(script + ": cannot read the script (" + e.getClass().getSimpleName() + ")");
    }
    Script parsed;
    try {
      parsed = ScriptParser.parse(script.toString(), text);
    } catch (ScriptError e) {
      throw new UserError(e.getMessage());
    }
    Costs c = new Costs(ConfigLoader.loadCosts(ConfigLoader.home(), costs));
    ScriptRunner.Result r = ScriptRunner.run(parsed, c, timing);
    var out = spec.commandLine().getOut();
    for (String line : r.lines()) {
      out.println(line);
    }
    out.flush();
    // Kernel findings (BUG, WARN, LEAK) go to stderr: stdout keeps the contract's exact lines.
    var err = spec.commandLine().getErr();
    for (var f : r.findings()) {
      err.println("finding " + f.kind() + (f.vm() == null ? "" : " " + f.vm()) + " " + f.where() + ": " + f.message());
    }
    err.flush();
    return r.exitStatus();
  }
}
