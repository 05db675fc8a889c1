package dev.winnow.cli;

import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.hub.HubClient;
import dev.winnow.onnx.hub.HubConfig;
import dev.winnow.onnx.hub.HubException;
import dev.winnow.onnx.hub.ModelId;
import dev.winnow.onnx.hub.Snapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code winnow models ...}: models in the Hugging Face hub cache. */
@Command(
    name = "models",
    description = "Manage models in the Hugging Face hub cache (shared with Python tools).",
    mixinStandardHelpOptions = true,
    subcommands = {ModelsCommand.Pull.class, ModelsCalibrateCommand.class})
final class ModelsCommand {

  /** {@code winnow models pull ORG/NAME[@REVISION] [--variant V]}. */
  @Command(
      name = "pull",
      mixinStandardHelpOptions = true,
      description = {
        "Download a model's config, tokenizer and one ONNX file (never pickle weights) into the"
            + " hub cache and print the snapshot folder.",
        "Environment: HF_ENDPOINT (default https://huggingface.co), HF_HUB_CACHE / HF_HOME"
            + " (cache), HF_TOKEN (private or gated repos), HF_HUB_OFFLINE=1 (cache only)."
      })
  static final class Pull implements Callable<Integer> {

    @Parameters(
        paramLabel = "ORG/NAME[@REVISION]",
        description = "Hub model id, e.g. cross-encoder/ms-marco-MiniLM-L6-v2 (revision: main).")
    String model;

    @Option(
        names = "--variant",
        defaultValue = ModelFolder.DEFAULT_VARIANT,
        description =
            "ONNX variant: default (onnx/model.onnx), qint8 (onnx/model_qint8.onnx), quantized,"
                + " O2, ... Default: ${DEFAULT-VALUE}.")
    String variant;

    @Spec CommandSpec spec;

    private final Map<String, String> env;
    private final Path home;

    Pull() {
      this(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** For tests: an explicit environment instead of the process's. */
    Pull(Map<String, String> env, Path home) {
      this.env = env;
      this.home = home;
    }

    @Override
    public Integer call() {
      ModelId id = ModelId.parse(model);
      PrintWriter err = spec.commandLine().getErr();
      HubClient hub = new HubClient(HubConfig.fromEnvironment(env, home), err::println);
      Snapshot snapshot;
      try {
        snapshot = hub.pull(id, variant);
      } catch (HubException e) {
        err.println("winnow: " + e.getMessage());
        return 1;
      }
      err.println(
          String.format(
              Locale.ROOT,
              "%s: commit %s, %d file(s), %d downloaded (%,d bytes)",
              id,
              snapshot.commit(),
              snapshot.files().size(),
              snapshot.downloaded(),
              snapshot.bytesDownloaded()));
      spec.commandLine().getOut().println(snapshot.path());
      return 0;
    }
  }
}
