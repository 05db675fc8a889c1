package dev.winnow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.eval.CalibrationPairs;
import dev.winnow.eval.TrecRun;
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

/**
 * {@code winnow search}: one query through a pipeline over an index, with provenance; or, with
 * {@code --topics}, every query of a topics file into a TREC run file (Anserini's batch search).
 */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = {
      "Search an index: first stage, optional rerank stages, top n with provenance.",
      "With --topics FILE --output RUN, search every query of a topics file (BEIR queries.jsonl"
          + " or Anserini TSV 'qid<TAB>text') with the same pipeline and write a TREC run file,"
          + " --hits lines per query; score it with `winnow eval --run RUN --qrels QRELS`."
    })
final class SearchCommand implements Callable<Integer> {

  @Option(
      names = "--index",
      description = "Index directory (winnow index); with --backend embedded.")
  Path index;

  @Mixin BackendOptions backend = new BackendOptions();

  @Option(names = "--query", description = "The query text (or --topics).")
  String query;

  @Option(
      names = "--topics",
      paramLabel = "FILE",
      description = "Batch search: BEIR queries.jsonl or Anserini TSV topics (qid<TAB>text).")
  Path topics;

  @Option(
      names = "--output",
      paramLabel = "RUN",
      description = "With --topics: the TREC run file to write.")
  Path output;

  @Option(
      names = "--tag",
      defaultValue = "winnow",
      description = "With --topics: run tag in the run file. Default: ${DEFAULT-VALUE}.")
  String tag;

  @Option(
      names = "--k",
      defaultValue = "100",
      description = "First-stage candidates. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(
      names = {"--top-n", "--hits"},
      paramLabel = "N",
      description =
          "Hits shown, or written per query with --topics. Default: 10, with --topics --k.")
  Integer topN;

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
    if ((query == null) == (topics == null)) {
      throw new IllegalArgumentException(
          "search needs exactly one of --query TEXT or --topics FILE");
    }
    if (topics != null && output == null) {
      throw new IllegalArgumentException("--topics needs --output RUN, the run file to write");
    }
    if (topics == null && output != null) {
      throw new IllegalArgumentException("--output writes the run of --topics; give --topics FILE");
    }
    int hits = topN != null ? topN : topics != null ? k : 10;
    if (hits < 1) {
      throw new IllegalArgumentException("top-n must be >= 1, got " + hits);
    }
    if (query != null && query.isBlank()) {
      throw new IllegalArgumentException("query must not be blank");
    }
    Map<String, String> batch = topics == null ? Map.of() : Topics.read(topics);
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
                hits,
                ModelResolver.fromEnvironment(),
                Fixtures.to(err))) {
      Pipeline p = opened.pipeline();
      if (topics != null) {
        return runTopics(p, batch, out);
      }
      Pipeline.Result r = p.search(Query.of(query));
      List<Hit> shown = calibration.keep(r.hits(), cal);
      if (json) {
        out.println(json(cascade, r, shown, p, cal, hits));
      } else {
        out.println("query: " + query);
        out.println("pipeline: " + cascade.describe() + ", k " + k + ", top " + hits);
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

  /** Every topic through {@code p}, into the run file; a summary line on stdout. */
  private int runTopics(Pipeline p, Map<String, String> batch, PrintWriter out) {
    Map<String, List<Hit>> run = new LinkedHashMap<>();
    long start = System.nanoTime();
    try (Progress progress = Progress.start("searching", batch.size())) {
      for (Map.Entry<String, String> t : batch.entrySet()) {
        run.put(t.getKey(), p.search(new Query(t.getKey(), t.getValue())).hits());
        progress.step();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    TrecRun.write(output, run, tag);
    out.printf(
        Locale.ROOT,
        "searched %d topics from %s in %.1f s (%.1f ms/query); run file %s%n",
        batch.size(),
        topics,
        seconds,
        seconds * 1000 / batch.size(),
        output);
    out.flush();
    return 0;
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
      Optional<Calibration> cal,
      int topN)
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
