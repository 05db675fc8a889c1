package dev.winnow.cli;

import dev.winnow.eval.CalibrationPairs;
import dev.winnow.eval.EvalReport;
import dev.winnow.eval.EvalRequest;
import dev.winnow.eval.EvalRunner;
import dev.winnow.eval.PipelineSpec;
import dev.winnow.eval.QueryIds;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.hub.CachedModels;
import dev.winnow.onnx.hub.HubClient;
import dev.winnow.onnx.hub.HubConfig;
import dev.winnow.onnx.hub.HubException;
import dev.winnow.onnx.hub.ModelId;
import dev.winnow.onnx.hub.Snapshot;
import dev.winnow.pipeline.Calibration;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code winnow models ...}: models in the Hugging Face hub cache, and their calibration. */
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
      ModelsCommand.Calibrate.class
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
      out.flush();
      return 0;
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

  /**
   * {@code winnow models calibrate DIR --dataset BEIR --split train --depth K}: fits Platt scaling
   * and isotonic regression on the model's logits of the first stage's top K of the split's
   * queries, labelled by the qrels, and writes them to {@code DIR/calibration.json} (or {@code
   * --out}).
   */
  @Command(
      name = "calibrate",
      mixinStandardHelpOptions = true,
      description = {
        "Fit a calibration (Platt scaling and isotonic regression) for a cross-encoder on judged"
            + " pairs: the BM25 top --depth of a split's queries, labelled by its qrels"
            + " (unjudged = not relevant). Fit on queries the model did not train on.",
        "Writes MODEL/calibration.json, or --out FILE for a read-only model folder; then"
            + " --scores calibrated and --min-score use it."
      })
  static final class Calibrate implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL", description = "Cross-encoder folder (or hub id).")
    String model;

    @Option(names = "--dataset", required = true, paramLabel = "DIR", description = "BEIR folder")
    Path dataset;

    @Option(
        names = "--split",
        required = true,
        paramLabel = "NAME",
        description = "qrels split to fit on (e.g. train; never the split you report)")
    String split;

    @Option(
        names = "--query-ids",
        paramLabel = "FILE|ID,ID,...",
        description = "only these queries (e.g. the model's validation queries)")
    String queryIds;

    @Option(
        names = "--depth",
        defaultValue = "100",
        paramLabel = "K",
        description = "first-stage candidates per query (default: ${DEFAULT-VALUE})")
    int depth;

    @Option(
        names = "--max-length",
        paramLabel = "N",
        description = "cross-encoder tokens per pair (default: the model's)")
    Integer maxLength;

    @Option(
        names = "--variant",
        defaultValue = ModelFolder.DEFAULT_VARIANT,
        paramLabel = "V",
        description = "ONNX variant (default: ${DEFAULT-VALUE})")
    String variant;

    @Option(
        names = "--method",
        defaultValue = "isotonic",
        paramLabel = "isotonic|platt",
        description = "the fit --scores calibrated applies (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--index", paramLabel = "DIR", description = "index (default: cached)")
    Path index;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "where to write (default: MODEL/calibration.json)")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (depth < 1) {
        throw new IllegalArgumentException("--depth must be >= 1, got " + depth);
      }
      Calibration.Method m = Calibration.Method.parse(method);
      ModelFolder folder = RerankCommand.resolveModel(model, variant);
      Path target = out != null ? out : Calibration.fileOf(folder.root());
      Path dir = target.toAbsolutePath().getParent();
      if (!Files.isWritable(dir)) {
        throw new IllegalArgumentException(
            "cannot write " + target + ": " + dir + " is not writable; give --out FILE");
      }
      Map<String, String> options = new LinkedHashMap<>();
      options.put("rerank", "cross-encoder:" + folder.root());
      options.put("variant", variant);
      if (maxLength != null) {
        options.put("max-length", String.valueOf(maxLength));
      }
      EvalRequest request =
          new EvalRequest(
              dataset,
              split,
              new PipelineSpec("bm25", options),
              depth,
              OptionalInt.empty(),
              Optional.ofNullable(index),
              0,
              queryIds == null ? Set.of() : QueryIds.parse(queryIds));
      EvalReport report = EvalRunner.run(request, EvalRunner.Progress.NONE);
      CalibrationPairs pairs =
          CalibrationPairs.of(report.run(), EvalRunner.dataset(request).qrels());
      String source =
          String.format(
              Locale.ROOT,
              "%s split %s, %d queries%s, BM25 top %d%s",
              dataset.getFileName(),
              split,
              report.evaluation().queries(),
              queryIds == null ? "" : " (" + Path.of(queryIds).getFileName() + ")",
              depth,
              maxLength == null ? "" : ", max length " + maxLength);
      Calibration c = Calibration.fit(pairs.logits(), pairs.labels(), source).withMethod(m);
      c.write(target);
      PrintWriter o = spec.commandLine().getOut();
      o.printf(
          Locale.ROOT, "fitted on %s: %,d pairs, %,d relevant%n", source, c.pairs(), c.positives());
      o.printf(
          Locale.ROOT,
          "platt     p = sigmoid(%.6f * logit + %.6f)%n",
          c.platt().a(),
          c.platt().b());
      o.printf(Locale.ROOT, "isotonic  %d breakpoints%n", c.isotonic().x().length);
      CalibrationReport.print(o, pairs, c, "fitting pairs (in sample)", Optional.empty());
      o.println("method    " + m.label() + " (applied by --scores calibrated)");
      o.println("wrote     " + target);
      o.flush();
      return 0;
    }
  }
}
