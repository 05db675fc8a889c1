package dev.winnow.cli;

import dev.winnow.onnx.hub.HubException;
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
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException) {
            cmd.getErr().println("winnow: " + ex.getMessage());
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

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Winnow.class.getPackage().getImplementationVersion();
      return new String[] {"winnow " + (v == null ? "dev" : v)};
    }
  }
}
