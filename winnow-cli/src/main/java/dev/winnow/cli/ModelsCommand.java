package dev.winnow.cli;

import dev.winnow.onnx.BundledModels;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.hub.CachedModels;
import dev.winnow.onnx.hub.HubClient;
import dev.winnow.onnx.hub.HubConfig;
import dev.winnow.onnx.hub.HubException;
import dev.winnow.onnx.hub.ModelId;
import dev.winnow.onnx.hub.Snapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
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
    description =
        "Manage models in the Hugging Face hub cache (shared with Python tools), and quantize"
            + " model folders.",
    mixinStandardHelpOptions = true,
    subcommands = {
      ModelsCommand.Pull.class,
      ModelsCommand.ListCached.class,
      ModelsCommand.Remove.class,
      ModelsQuantizeCommand.class,
      ModelsCalibrateCommand.class
    })
final class ModelsCommand {

  /** A command on the hub cache, configured from an environment (the process's, or a test's). */
  abstract static class HubCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    private final Map<String, String> env;
    private final Path home;

    HubCommand(Map<String, String> env, Path home) {
      this.env = env;
      this.home = home;
    }

    HubConfig hubConfig() {
      return HubConfig.fromEnvironment(env, home);
    }
  }

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
  static final class Pull extends HubCommand {

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

    Pull() {
      super(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** For tests: an explicit environment instead of the process's. */
    Pull(Map<String, String> env, Path home) {
      super(env, home);
    }

    @Override
    public Integer call() {
      ModelId id = ModelId.parse(model);
      PrintWriter err = spec.commandLine().getErr();
      HubClient hub = new HubClient(hubConfig(), err::println);
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

  /** {@code winnow models list}: the snapshots in the hub cache. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List the models in the hub cache: id, revision, commit, size, kind and ONNX files.",
        "Environment: HF_HUB_CACHE / HF_HOME (cache)."
      })
  static final class ListCached extends HubCommand {

    ListCached() {
      super(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** For tests: an explicit environment instead of the process's. */
    ListCached(Map<String, String> env, Path home) {
      super(env, home);
    }

    @Override
    public Integer call() {
      CachedModels cache = new CachedModels(hubConfig());
      List<CachedModels.Entry> entries = cache.list();
      PrintWriter out = spec.commandLine().getOut();
      if (entries.isEmpty()) {
        spec.commandLine().getErr().println("no models in the hub cache " + cache.root());
        bundled(out);
        return 0;
      }
      String format = "%-" + width(entries) + "s  %-10s  %-12s  %10s  %-14s  %s%n";
      out.printf(Locale.ROOT, format, "ID", "REVISION", "COMMIT", "SIZE", "KIND", "ONNX");
      for (CachedModels.Entry e : entries) {
        out.printf(
            Locale.ROOT,
            format,
            e.id().repo(),
            e.revisions().isEmpty() ? "-" : String.join(",", e.revisions()),
            e.commit().substring(0, 12),
            megabytes(e.bytes()),
            e.kind(),
            e.onnxFiles().isEmpty() ? "-" : String.join(", ", e.onnxFiles()));
      }
      bundled(out);
      return 0;
    }

    /** The models this jar ships, served by id before any hub lookup. */
    private static void bundled(PrintWriter out) {
      for (BundledModels.Bundled b : BundledModels.available()) {
        out.printf(Locale.ROOT, "%s  (bundled in this jar)  %s%n", b.id(), b.description());
      }
      out.flush();
    }

    private static int width(List<CachedModels.Entry> entries) {
      return entries.stream().mapToInt(e -> e.id().repo().length()).max().orElse(2);
    }

    private static String megabytes(long bytes) {
      return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
  }

  /** {@code winnow models rm ORG/NAME[@REVISION]}. */
  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = {
        "Remove a model from the hub cache, without asking: ORG/NAME removes every revision,"
            + " ORG/NAME@REVISION that revision's snapshot and the files only it uses.",
        "Environment: HF_HUB_CACHE / HF_HOME (cache)."
      })
  static final class Remove extends HubCommand {

    @Parameters(paramLabel = "ORG/NAME[@REVISION]", description = "A model id from `models list`.")
    String model;

    Remove() {
      super(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** For tests: an explicit environment instead of the process's. */
    Remove(Map<String, String> env, Path home) {
      super(env, home);
    }

    @Override
    public Integer call() {
      ModelId id = ModelId.parse(model);
      CachedModels cache = new CachedModels(hubConfig());
      spec.commandLine().getErr().println(cache.remove(id, model.indexOf('@') < 0));
      return 0;
    }
  }
}
