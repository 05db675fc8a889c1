package dev.winnow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.api.Activation;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.Truncation;
import dev.winnow.onnx.ColbertSettings;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.OnnxLateInteraction;
import dev.winnow.onnx.hub.ModelResolver;
import dev.winnow.pipeline.Calibration;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow rerank}: scores documents against one query with a cross-encoder, or with a
 * late-interaction checkpoint (its MaxSim as the logit), best first.
 */
@Command(
    name = "rerank",
    mixinStandardHelpOptions = true,
    description = {
      "Rerank documents for a query with a cross-encoder, or by MaxSim with a late-interaction"
          + " (Stanford ColBERT) checkpoint: the layout is detected from the folder.",
      "FILE is JSONL ({\"id\":..,\"text\":..}, optional \"title\"; id may be \"_id\") or plain"
          + " text with one document per line (ids are line numbers)."
    })
final class RerankCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"--model", "--model-id"},
      required = true,
      paramLabel = "DIR",
      description = "Model folder in the Hugging Face layout (config.json, tokenizer.json, onnx/).")
  String model;

  @Option(
      names = "--variant",
      defaultValue = ModelFolder.DEFAULT_VARIANT,
      paramLabel = "V",
      description =
          "ONNX variant: default (onnx/model.onnx), qint8, ... Default: ${DEFAULT-VALUE}.")
  String variant;

  @Option(names = "--query", required = true, paramLabel = "TEXT", description = "The query.")
  String query;

  @Option(names = "--docs", required = true, paramLabel = "FILE", description = "The documents.")
  Path docs;

  @Option(names = "--top-n", paramLabel = "N", description = "Print the best N (default: all).")
  Integer topN;

  @Option(
      names = "--scores",
      paramLabel = "raw|sigmoid|calibrated",
      description =
          "Activation applied to the logit (default: the model's), or calibrated: the probability"
              + " that the document is relevant, from the model's calibration.json.")
  String scores;

  @Mixin CalibrationOptions calibration = new CalibrationOptions();

  @Option(
      names = "--max-length",
      paramLabel = "N",
      description = "Total tokens per pair, specials included (default: the model's).")
  Integer maxLength;

  @Option(
      names = "--truncation",
      defaultValue = "longest_first",
      paramLabel = "longest_first|only_second",
      description = "How long pairs are cut (default: ${DEFAULT-VALUE}).")
  String truncation;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "ONNX Runtime intra-op threads (default: available processors).")
  Integer threads;

  @Option(names = "--json", description = "Print {\"results\":[...]} instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    ScoringOptions scoring = ScoringOptions.DEFAULTS.withTruncation(Truncation.parse(truncation));
    boolean calibrated = "calibrated".equalsIgnoreCase(scores);
    if (scores != null && !calibrated) {
      scoring = scoring.withActivation(Activation.parse(scores));
    }
    if (maxLength != null) {
      scoring = scoring.withMaxLength(maxLength);
    }
    if (topN != null && topN < 1) {
      throw new IllegalArgumentException("--top-n must be >= 1, got " + topN);
    }
    if (query.isBlank()) {
      throw new IllegalArgumentException("--query must not be blank");
    }
    OnnxCrossEncoder.Options options = OnnxCrossEncoder.Options.defaults();
    if (threads != null) {
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
      }
      options = options.withThreads(threads);
    }
    List<DocumentsFile.Entry> entries = DocumentsFile.read(docs);
    List<String> ids = new ArrayList<>(entries.size());
    List<String> texts = new ArrayList<>(entries.size());
    for (DocumentsFile.Entry e : entries) {
      ids.add(e.id());
      texts.add(e.text());
    }
    int n = topN == null ? ids.size() : topN;
    ModelFolder folder =
        Fixtures.announce(resolveModel(model, variant), spec.commandLine().getErr());
    Optional<Calibration> cal =
        calibration.needed(calibrated)
            ? Optional.of(calibration.load(folder.root()))
            : Optional.empty();
    List<RankedDocument> ranked;
    if (ColbertSettings.isLateInteraction(folder.root())) {
      ranked = rerankLateInteraction(folder, ids, texts, n);
    } else {
      try (OnnxCrossEncoder encoder = OnnxCrossEncoder.open(folder, options)) {
        ranked = encoder.rerank(query, ids, texts, n, scoring);
      }
    }
    if (cal.isPresent()) {
      ranked = calibrate(ranked, cal.get(), calibrated);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      printJson(out, ranked);
    } else {
      printTable(out, ranked, texts);
    }
    out.flush();
    return 0;
  }

  /**
   * The ranked documents whose calibrated probability is at least {@code --min-score}, each scored
   * by that probability when {@code --scores calibrated} (the order, by logit, is kept).
   */
  private List<RankedDocument> calibrate(
      List<RankedDocument> ranked, Calibration cal, boolean calibrated) {
    List<RankedDocument> out = new ArrayList<>(ranked.size());
    for (RankedDocument r : ranked) {
      double p = cal.apply(r.logit());
      if (calibration.minScore == null || p >= calibration.minScore) {
        out.add(calibrated ? new RankedDocument(r.index(), r.id(), r.logit(), p) : r);
      }
    }
    return out;
  }

  /**
   * A late-interaction checkpoint scores each document by MaxSim, printed as both its logit and its
   * score; options that only a cross-encoder reads are refused rather than ignored.
   */
  private List<RankedDocument> rerankLateInteraction(
      ModelFolder folder, List<String> ids, List<String> texts, int n) {
    if (scores != null && Activation.parse(scores) != Activation.RAW) {
      throw new IllegalArgumentException(
          "--scores must be raw for a late-interaction model (its MaxSim has no activation), got "
              + scores);
    }
    if (maxLength != null) {
      throw new IllegalArgumentException(
          "--max-length does not apply to a late-interaction model (query_maxlen and doc_maxlen"
              + " of its artifact.metadata decide), got "
              + maxLength);
    }
    OnnxLateInteraction.Options o =
        OnnxLateInteraction.Options.of(String.valueOf(folder.root().getFileName()))
            .withVariant(folder.variant());
    if (threads != null) {
      o = o.withThreads(threads);
    }
    try (OnnxLateInteraction encoder = OnnxLateInteraction.open(folder.root(), o)) {
      return encoder.rerank(query, ids, texts, n);
    }
  }

  /**
   * Turns the {@code --model} argument into a model folder; the one place that knows how models are
   * named on the command line.
   */
  static ModelFolder resolveModel(String model, String variant) {
    return ModelResolver.fromEnvironment().resolve(model, variant);
  }

  private static void printJson(PrintWriter out, List<RankedDocument> ranked) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    ArrayNode results = root.putArray("results");
    for (RankedDocument r : ranked) {
      ObjectNode n = results.addObject();
      n.put("index", r.index());
      n.put("id", r.id());
      n.put("logit", r.logit());
      n.put("score", r.score());
    }
    out.println(mapper.writeValueAsString(root));
  }

  private static void printTable(PrintWriter out, List<RankedDocument> ranked, List<String> texts) {
    int idWidth = 2;
    for (RankedDocument r : ranked) {
      idWidth = Math.max(idWidth, Math.min(24, r.id().length()));
    }
    String row = "%4s  %10s  %10s  %-" + idWidth + "s  %s%n";
    out.printf(row, "rank", "score", "logit", "id", "text");
    int rank = 1;
    for (RankedDocument r : ranked) {
      out.printf(
          row,
          rank++,
          String.format("%.6f", r.score()),
          String.format("%.6f", r.logit()),
          r.id(),
          snippet(texts.get(r.index())));
    }
  }

  private static String snippet(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= 60 ? flat : flat.substring(0, 57) + "...";
  }
}
