package dev.winnow.cli;

import dev.winnow.onnx.hub.HubException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code winnow} command line: one small class per subcommand. */
@Command(
    name = "winnow",
    mixinStandardHelpOptions = true,
    versionProvider = Winnow.Version.class,
    description = "Two-stage retrieval: a cheap first stage, a precise cross-encoder second stage.",
    subcommands = {
      CommandLine.HelpCommand.class,
      BenchCommand.class,
      DemoCommand.class,
      EvalCommand.class,
      IndexCommand.class,
      ModelsCommand.class,
      RegressCommand.class,
      RerankCommand.class,
      SearchCommand.class,
      ServeCommand.class,
      TrainCommand.class,
    })
public final class Winnow {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, shared by {@link #main} and tests. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Winnow());
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine cmd = ex.getCommandLine();
          String name = cmd.getCommandSpec().qualifiedName();
          cmd.getErr().println("winnow: " + ex.getMessage() + "; see `" + name + " --help`");
          cmd.getErr().flush();
          return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException) {
            cmd.getErr().println("winnow: " + ex.getMessage());
            return 2;
          }
          // An I/O failure (unwritable index, cache owned by another user, full disk) is one line
          // naming the path and the cause, like a bad argument: exit 2.
          Optional<String> io = Failures.ioLine(ex);
          if (io.isPresent()) {
            cmd.getErr().println("winnow: " + io.get());
            return 2;
          }
          if (ex instanceof HubException) {
            cmd.getErr().println("winnow: " + ex.getMessage());
            return 1;
          }
          throw ex;
        });
    return cl;
  }

  /** The version the build wrote into {@code version.properties} (the POM's). */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = Winnow.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("version.properties is missing from the CLI's classpath");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read version.properties", e);
    }
    return p.getProperty("version");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"winnow " + version()};
    }
  }
}
