package dev.winnow.cli;

import dev.winnow.eval.CalibrationPairs;
import dev.winnow.eval.EvalReport;
import dev.winnow.eval.EvalRequest;
import dev.winnow.eval.EvalRunner;
import dev.winnow.eval.PipelineSpec;
import dev.winnow.eval.QueryIds;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.pipeline.Calibration;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * {@code winnow models calibrate DIR --dataset BEIR --split train --depth K}: fits Platt scaling
 * and isotonic regression on the model's logits of the first stage's top K of the split's queries,
 * labelled by the qrels, and writes them to {@code DIR/calibration.json} (or {@code --out}).
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
final class ModelsCalibrateCommand implements Callable<Integer> {

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
    CalibrationPairs pairs = CalibrationPairs.of(report.run(), EvalRunner.dataset(request).qrels());
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
        Locale.ROOT, "platt     p = sigmoid(%.6f * logit + %.6f)%n", c.platt().a(), c.platt().b());
    o.printf(Locale.ROOT, "isotonic  %d breakpoints%n", c.isotonic().x().length);
    CalibrationReport.print(o, pairs, c, "fitting pairs (in sample)", Optional.empty());
    o.println("method    " + m.label() + " (applied by --scores calibrated)");
    o.println("wrote     " + target);
    o.flush();
    return 0;
  }
}
