package dev.winnow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.eval.CalibrationPairs;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.hub.ModelResolver;
import dev.winnow.opensearch.OpenSearchBackend;
import dev.winnow.pipeline.Calibration;
import dev.winnow.pipeline.CascadeSpec;
import dev.winnow.pipeline.Cascades;
import dev.winnow.pipeline.FirstStageSource;
import dev.winnow.pipeline.Pipeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code winnow search}: one query through a pipeline over an index, with provenance. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = "Search an index: first stage, optional rerank stages, top n with provenance.")
final class SearchCommand implements Callable<Integer> {

  @Option(
      names = "--index",
      description = "Index directory (winnow index); with --backend embedded.")
  Path index;

  @Mixin BackendOptions backend = new BackendOptions();

  @Option(names = "--query", required = true, description = "The query text.")
  String query;

  @Option(
      names = "--k",
      defaultValue = "100",
      description = "First-stage candidates. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(
      names = "--top-n",
      defaultValue = "10",
      description = "Hits shown. Default: ${DEFAULT-VALUE}.")
  int topN;

  @Option(names = "--explain", description = "Explain every hit's score, stage by stage.")
  boolean explain;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Option(
      names = "--retriever",
      defaultValue = "bm25",
      description =
          "First stage: bm25, dense or hybrid (BM25 + dense fused). Default: ${DEFAULT-VALUE}.")
  String retriever;

  @Mixin PipelineOptions pipeline;

  @Option(
      names = "--scores",
      defaultValue = "pipeline",
      paramLabel = "pipeline|calibrated",
      description =
          "Scores printed: the pipeline's (default) or calibrated, the probability that the hit"
              + " is relevant from the last cross-encoder stage's logit and the model's calibration.")
  String scores;

  @Mixin CalibrationOptions calibration = new CalibrationOptions();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (topN < 1) {
      throw new IllegalArgumentException("top-n must be >= 1, got " + topN);
    }
    if (query.isBlank()) {
      throw new IllegalArgumentException("query must not be blank");
    }
    CascadeSpec cascade = pipeline.spec(retriever);
    Optional<Calibration> cal = calibration(cascade);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!backend.isOpenSearch() && index == null) {
      throw new IllegalArgumentException(
          "--index DIR is required with --backend embedded (or use --backend opensearch)");
    }
    try (AutoCloseable store =
            backend.isOpenSearch()
                ? OpenSearchBackend.connect(backend.openSearchConfig())
                : WinnowIndex.openExisting(index);
        Cascades.Opened opened =
            Cascades.open(
                cascade,
                store instanceof OpenSearchBackend os
                    ? new OpenSearchFirstStage(os)
                    : FirstStageSource.of((WinnowIndex) store),
                k,
                topN,
                ModelResolver.fromEnvironment(),
                err::println)) {
      Pipeline p = opened.pipeline();
      Pipeline.Result r = p.search(Query.of(query));
      List<Hit> shown = calibration.keep(r.hits(), cal);
      if (json) {
        out.println(json(cascade, r, shown, p, cal));
      } else {
        out.println("query: " + query);
        out.println("pipeline: " + cascade.describe() + ", k " + k + ", top " + topN);
        cal.ifPresent(
            c ->
                out.println(
                    "scores: calibrated probability of relevance ("
                        + c.method().label()
                        + ")"
                        + (calibration.minScore == null
                            ? ""
                            : ", "
                                + (r.hits().size() - shown.size())
                                + " hit(s) below --min-score "
                                + calibration.minScore
                                + " dropped")));
        int rank = 1;
        for (Hit h : shown) {
          out.printf(
              Locale.ROOT,
              "%3d. %-12s %10.4f  %s%n",
              rank++,
              h.id(),
              printed(h, cal),
              snippet(h.text(), 90));
          if (explain) {
            for (String line : p.explain(h).split("\n")) {
              out.println("       " + line);
            }
            if (cal.isPresent()) {
              out.println(
                  "       calibrated: "
                      + cal.get().method().label()
                      + "(logit "
                      + CalibrationPairs.crossEncoderLogit(h)
                      + ") = "
                      + CalibrationOptions.probability(h, cal.get()));
            }
          }
        }
        out.println("time: " + timings(r));
      }
      out.flush();
    }
    return 0;
  }

  private double printed(Hit h, Optional<Calibration> cal) {
    return cal.isPresent() && scores.equals("calibrated")
        ? CalibrationOptions.probability(h, cal.get())
        : h.score();
  }

  /**
   * The calibration of the last cross-encoder stage, when calibrated scores or --min-score ask for
   * it; a pipeline without a cross-encoder is refused.
   */
  private Optional<Calibration> calibration(CascadeSpec cascade) {
    if (!scores.equals("pipeline") && !scores.equals("calibrated")) {
      throw new IllegalArgumentException(
          "--scores must be one of pipeline, calibrated; got '" + scores + "'");
    }
    if (!calibration.needed(scores.equals("calibrated"))) {
      return Optional.empty();
    }
    return Optional.of(
        CalibrationOptions.forCascade(
            cascade, calibration.file, "--scores calibrated and --min-score"));
  }

  static String timings(Pipeline.Result r) {
    List<String> parts = new ArrayList<>();
    for (Pipeline.StageTiming t : r.timings()) {
      parts.add(String.format(Locale.ROOT, "%s %.1f ms", t.stage(), t.millis()));
    }
    return String.join(", ", parts);
  }

  static String snippet(String text, int max) {
    String one = text.replaceAll("\\s+", " ").trim();
    return one.length() <= max ? one : one.substring(0, max - 1) + "…";
  }

  private String json(
      CascadeSpec cascade,
      Pipeline.Result r,
      List<Hit> shown,
      Pipeline p,
      Optional<Calibration> cal)
      throws Exception {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("query", query);
    root.put("pipeline", cascade.describe());
    root.put("k", k);
    root.put("top_n", topN);
    List<Object> hits = new ArrayList<>();
    int rank = 1;
    for (Hit h : shown) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rank", rank++);
      m.put("id", h.id());
      m.put("score", h.score());
      if (cal.isPresent()) {
        m.put("probability", CalibrationOptions.probability(h, cal.get()));
      }
      m.put("text", h.text());
      m.put("provenance", JsonProvenance.of(h.provenance()));
      if (explain) {
        m.put("explanation", p.explain(h));
      }
      hits.add(m);
    }
    root.put("hits", hits);
    Map<String, Double> ms = new LinkedHashMap<>();
    for (Pipeline.StageTiming t : r.timings()) {
      ms.merge(t.stage(), t.millis(), Double::sum);
    }
    root.put("timings_ms", ms);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
  }
}
