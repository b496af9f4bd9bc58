package org.vfiosim.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.vfiosim.config.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vfiosim}: the command-line entry point. */
@Command(
    name = "vfiosim",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Deterministic virtual-time simulator of Linux VFIO / type1 / kvmgt lock contention.",
      "Exit status: 0 ok; 1 the run found a kernel BUG, leak, deadlock or broken invariant;",
      "2 bad input (config, flags) with one line naming the file, line or key."
    },
    subcommands = {RunCommand.class, SweepCommand.class, NodeCommand.class, ReplayCommand.class, CalibrateCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit status (tests call this instead of main). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** Runs the CLI with the given output and error writers. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(Main::handle);
    cl.setParameterExceptionHandler(Main::badArguments);
    return cl;
  }

  /** A bad flag or argument: one line, a pointer to --help, exit 2. */
  private static int badArguments(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    String cmd = cl.getCommandSpec().qualifiedName();
    err.println("vfiosim: " + e.getMessage() + " (see '" + cmd + " --help')");
    err.flush();
    return 2;
  }

  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof UserError) {
      err.println("vfiosim: " + e.getMessage());
      err.flush();
      return 2;
    }
    if (e instanceof UncheckedIOException io) {
      err.println("vfiosim: " + io.getMessage());
      err.flush();
      return 2;
    }
    // A bug in the simulator: one line for the user, the stack trace in a log file.
    String where;
    try {
      java.nio.file.Path log = java.nio.file.Files.createTempFile("vfiosim-error-", ".log");
      try (PrintWriter pw = new PrintWriter(java.nio.file.Files.newBufferedWriter(log))) {
        e.printStackTrace(pw);
      }
      where = "; stack trace in " + log;
    } catch (java.io.IOException | RuntimeException io) {
      where = "";
    }
    err.println("vfiosim: internal error (please report): " + e + where);
    err.flush();
    return 1;
  }

  /** Version from the jar manifest when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"vfiosim " + (v == null ? "(development build)" : v)};
    }
  }
}
