package dev.winnow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.api.Activation;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.Truncation;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.hub.ModelResolver;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code winnow rerank}: scores documents against one query with a cross-encoder, best first. */
@Command(
    name = "rerank",
    mixinStandardHelpOptions = true,
    description = {
      "Rerank documents for a query with a cross-encoder.",
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
      paramLabel = "raw|sigmoid",
      description = "Activation applied to the logit (default: the model's).")
  String scores;

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
    if (scores != null) {
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
    List<RankedDocument> ranked;
    ModelFolder folder =
        Fixtures.announce(resolveModel(model, variant), spec.commandLine().getErr());
    try (OnnxCrossEncoder encoder = OnnxCrossEncoder.open(folder, options)) {
      ranked = encoder.rerank(query, ids, texts, topN == null ? ids.size() : topN, scoring);
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
