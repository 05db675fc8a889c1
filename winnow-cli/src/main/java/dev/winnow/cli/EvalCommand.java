package dev.winnow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.winnow.api.StageFusion;
import dev.winnow.eval.CalibrationPairs;
import dev.winnow.eval.EvalReport;
import dev.winnow.eval.EvalRequest;
import dev.winnow.eval.EvalRunner;
import dev.winnow.eval.Evaluation;
import dev.winnow.eval.FusionSweep;
import dev.winnow.eval.Metric;
import dev.winnow.eval.PipelineSpec;
import dev.winnow.eval.Qrels;
import dev.winnow.eval.QueryIds;
import dev.winnow.eval.TrecRun;
import dev.winnow.pipeline.RerankFusion;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow eval}: runs a pipeline over a BEIR dataset split and reports nDCG@10, MRR@10,
 * R@100, MAP@100 (trec_eval definitions, {@code -c} averaging) and per-stage latency.
 *
 * <p>The pipeline is described by {@link #pipelineSpec()}, the one method to extend when new
 * options (embedder, reranker) are added; {@link dev.winnow.eval.Pipelines} builds it.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate a retrieval pipeline on a BEIR folder (corpus.jsonl, queries.jsonl,"
          + " qrels/<split>.tsv).",
      "Metrics follow trec_eval (ndcg_cut.10, recip_rank@10, recall.100, map_cut.100; -c"
          + " averaging). The dataset is indexed on first use (cached per user under"
          + " $XDG_CACHE_HOME/winnow or ~/.cache/winnow) unless --index names an index.",
      "With --run RUN --qrels QRELS instead, score any TREC run file (from `winnow search"
          + " --topics`, Anserini, Pyserini, ...) with the same metrics, or those named by -m"
          + " (trec_eval names accepted: ndcg_cut.10, recall.100, map, recip_rank, P.5)."
    })
public final class EvalCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin BackendOptions backend = new BackendOptions();

  @Option(names = "--dataset", paramLabel = "DIR", description = "BEIR folder")
  Path dataset;

  @Option(
      names = "--qrels",
      paramLabel = "FILE",
      description = "score the run file --run against these judgments (TREC or BEIR qrels)")
  Path qrels;

  @Option(
      names = {"-m", "--metric"},
      paramLabel = "NAME",
      description =
          "with --qrels, repeatable: a metric as ndcg@10 or trec_eval's ndcg_cut.10, recall.100,"
              + " map, recip_rank, P.5 (default: ndcg@10, mrr@10, recall@100, map@100)")
  List<String> metrics = new ArrayList<>();

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "NAME",
      description = "qrels split (default: ${DEFAULT-VALUE})")
  String split;

  @Option(
      names = "--retriever",
      defaultValue = "bm25",
      paramLabel = "NAME",
      description = "first stage (default: ${DEFAULT-VALUE})")
  String retriever;

  @Option(
      names = "--k",
      defaultValue = "100",
      paramLabel = "N",
      description = "hits kept per query (default: ${DEFAULT-VALUE})")
  int k;

  @Option(
      names = "--queries",
      paramLabel = "N",
      description = "evaluate only the first N queries of the split")
  Integer queries;

  @Option(
      names = "--query-ids",
      paramLabel = "FILE|ID,ID,...",
      description =
          "evaluate only these queries: a file with one id per line, or ids separated by commas"
              + " (e.g. the validation queries a model was selected on)")
  String queryIds;

  @Option(
      names = "--sweep-fusion",
      split = ",",
      paramLabel = "W1,W2,...",
      description =
          "After the run, re-fuse the last rerank stage with the earlier tier at each weight W of"
              + " the earlier tier (W x minmax(earlier) + (1 - W) x minmax(stage), as"
              + " --rerank-fusion linear:W) and with rrf, without scoring again, and print each"
              + " one's nDCG@10: choose W on a training split, then run the test split once.")
  List<Double> sweepFusion = new ArrayList<>();

  @Option(
      names = "--reliability",
      paramLabel = "PREFIX",
      description =
          "After the run, report the expected calibration error (15 bins) of the last"
              + " cross-encoder stage's pairs (every hit, labelled by the qrels) as raw sigmoid,"
              + " Platt and isotonic, and draw the reliability diagram to PREFIX.png and"
              + " PREFIX.svg. The calibration is --calibration FILE, else the model's"
              + " calibration.json, read when the run is done.")
  Path reliability;

  @Option(
      names = "--calibration",
      paramLabel = "FILE",
      description = "calibration for --reliability (default: the model's calibration.json)")
  Path calibrationFile;

  @Option(
      names = "--run",
      paramLabel = "FILE",
      description = "with --dataset, write the TREC run file here; with --qrels, the run to score")
  Path run;

  @Option(
      names = "--index",
      paramLabel = "DIR",
      description = "index to use, built there when absent (default: a cached index)")
  Path index;

  @Option(
      names = "--warmup",
      defaultValue = "0",
      paramLabel = "N",
      description = "queries run untimed before timing (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--json", description = "print the report as JSON")
  boolean json;

  @Option(
      names = "--tag",
      defaultValue = "winnow",
      paramLabel = "TAG",
      description = "run tag in the run file (default: ${DEFAULT-VALUE})")
  String tag;

  @Mixin PipelineOptions pipeline = new PipelineOptions();

  @Option(
      names = "--sweep-k",
      split = ",",
      paramLabel = "K",
      description =
          "Evaluate once per first-stage depth k (e.g. 10,20,50,100) and report quality against"
              + " ms/query, with the cost/quality curve written to --plot.")
  List<Integer> sweepK = new ArrayList<>();

  @Option(
      names = "--plot",
      paramLabel = "FILE",
      defaultValue = "sweep-k.svg",
      description = "SVG or PNG file for the --sweep-k curve (default: ${DEFAULT-VALUE}).")
  Path plot;

  /** The pipeline these options describe; new pipeline options are added here. */
  PipelineSpec pipelineSpec() {
    Map<String, String> options = new LinkedHashMap<>(pipeline.options());
    return new PipelineSpec(retriever, options);
  }

  /**
   * {@code --sweep-k}: one evaluation per k (the index and models are reused from the cache), a
   * table of nDCG@10, R@k and mean ms/query per stage, and the curve (SVG or PNG).
   */
  private int sweep(PrintWriter out, TerminalProgress progress) {
    List<CostQualityPlot.Point> points = new ArrayList<>();
    String description = "";
    for (int kk : sweepK) {
      if (kk < 1) {
        throw new IllegalArgumentException("sweep-k values must be >= 1, got " + kk);
      }
      EvalRequest request =
          new EvalRequest(
              dataset,
              split,
              pipelineSpec(),
              kk,
              queries == null ? OptionalInt.empty() : OptionalInt.of(queries),
              Optional.ofNullable(index),
              warmup,
              selectedQueries());
      EvalReport report = EvalRunner.run(request, progress);
      description = report.pipeline();
      Metric recall = new Metric(Metric.Kind.RECALL, kk);
      double ndcg = report.evaluation().mean(Metric.NDCG_10);
      double r =
          Evaluation.of(EvalRunner.dataset(request).qrels(), rankings(report), List.of(recall))
              .mean(recall);
      double ms = report.latency().get("total").mean();
      StringBuilder stages = new StringBuilder();
      report
          .latency()
          .forEach(
              (stage, l) -> {
                if (!stage.equals("total")) {
                  stages.append(String.format(Locale.ROOT, "%s %.2f  ", stage, l.mean()));
                }
              });
      if (points.isEmpty()) { // after the first run: its warnings (a fixture's banner) come first
        out.printf(
            Locale.ROOT,
            "%-6s %-9s %-9s %-12s %s%n",
            "k",
            "ndcg@10",
            "recall@k",
            "ms/query",
            "per stage (mean ms)");
      }
      out.printf(
          Locale.ROOT,
          "%-6d %-9.4f %-9.4f %-12.2f %s%n",
          kk,
          ndcg,
          r,
          ms,
          stages.toString().trim());
      points.add(new CostQualityPlot.Point("k=" + kk, ms, ndcg));
    }
    CostQualityPlot.write(
        plot, dataset.getFileName() + " " + split + ": " + description, "nDCG@10", points);
    out.println("pipeline  " + description);
    out.println("plot      " + plot);
    out.flush();
    return 0;
  }

  /** {@code --run RUN --qrels QRELS}: the run file's metrics, as trec_eval -c would compute. */
  private int score(PrintWriter out) {
    if (run == null) {
      throw new IllegalArgumentException("--qrels scores a run file: give --run RUN");
    }
    if (dataset != null) {
      throw new IllegalArgumentException(
          "--qrels scores an existing run and takes no --dataset; drop one of them");
    }
    List<Metric> measures =
        metrics.isEmpty() ? Metric.STANDARD : metrics.stream().map(Metric::parse).toList();
    Qrels judged = Qrels.read(qrels);
    Evaluation evaluation = Evaluation.of(judged, TrecRun.rankings(TrecRun.read(run)), measures);
    if (json) {
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("run", run.toString());
      root.put("qrels_file", qrels.toString());
      root.put("queries", evaluation.queries());
      Map<String, Double> means = new LinkedHashMap<>();
      evaluation.means().forEach((m, v) -> means.put(m.label(), v));
      root.put("metrics", means);
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("judgments", judged.size());
      q.put("queries_without_relevant", evaluation.queriesWithoutRelevant());
      q.put("queries_not_run", evaluation.queriesNotInRun());
      root.put("qrels", q);
      try {
        out.println(
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write the scores as JSON", e);
      }
    } else {
      out.printf(Locale.ROOT, "run       %s%n", run);
      out.printf(
          Locale.ROOT,
          "qrels     %s (%d queries, %d not in the run, %d without a relevant document)%n",
          qrels,
          evaluation.queries(),
          evaluation.queriesNotInRun(),
          evaluation.queriesWithoutRelevant());
      evaluation
          .means()
          .forEach(
              (m, v) ->
                  out.printf(Locale.ROOT, "%-12s %-24s %.4f%n", m.label(), m.trecEvalName(), v));
    }
    out.flush();
    return 0;
  }

  private static Map<String, List<String>> rankings(EvalReport report) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    report.run().forEach((q, hits) -> m.put(q, hits.stream().map(dev.winnow.api.Hit::id).toList()));
    return m;
  }

  /** Bars for indexing (sized by the corpus lines) and querying, each made on first use. */
  private static final class TerminalProgress implements EvalRunner.Progress, AutoCloseable {
    private final Path dataset;
    private Progress indexing;
    private Progress querying;

    TerminalProgress(Path dataset) {
      this.dataset = dataset;
    }

    @Override
    public void indexed(long documents) {
      if (indexing == null) {
        indexing = Progress.start("indexing", Lines.count(dataset.resolve("corpus.jsonl")));
      }
      indexing.update(documents);
    }

    @Override
    public void queried(int done, int total) {
      if (querying == null) {
        if (indexing != null) {
          indexing.close();
          indexing = null;
        }
        querying = Progress.start("querying", total);
      }
      querying.update(done);
    }

    @Override
    public void close() {
      if (indexing != null) {
        indexing.close();
      }
      if (querying != null) {
        querying.close();
      }
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (qrels != null) {
      return score(out);
    }
    if (dataset == null) {
      throw new IllegalArgumentException(
          "eval needs --dataset DIR (evaluate a pipeline) or --run RUN --qrels QRELS (score a run)");
    }
    if (!metrics.isEmpty()) {
      throw new IllegalArgumentException("-m/--metric applies to --run RUN --qrels QRELS only");
    }
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (!sweepK.isEmpty()) {
      if (backend.isOpenSearch()) {
        throw new IllegalArgumentException("--sweep-k runs on the embedded index only");
      }
      try (TerminalProgress progress = new TerminalProgress(dataset)) {
        return sweep(out, progress);
      }
    }
    if (reliability != null) {
      CalibrationOptions.lastCrossEncoder(pipeline.spec(retriever), "--reliability");
    }
    EvalRequest request =
        new EvalRequest(
            dataset,
            split,
            pipelineSpec(),
            k,
            queries == null ? OptionalInt.empty() : OptionalInt.of(queries),
            Optional.ofNullable(index),
            warmup,
            selectedQueries());
    EvalReport report;
    try (TerminalProgress progress = new TerminalProgress(dataset)) {
      report =
          backend.isOpenSearch()
              ? OpenSearchCommands.eval(
                  backend.openSearchConfig(),
                  request,
                  progress,
                  Fixtures.to(spec.commandLine().getErr()))
              : EvalRunner.run(request, progress);
    }
    if (run != null) {
      TrecRun.write(run, report.run(), tag);
    }
    out.print(json ? report.toJson() + System.lineSeparator() : report.toText());
    if (run != null && !json) {
      out.println("run file  " + run);
    }
    if (!sweepFusion.isEmpty()) {
      printFusionSweep(out, report, EvalRunner.dataset(request).qrels());
    }
    if (reliability != null) {
      CalibrationReport.print(
          out,
          CalibrationPairs.of(report.run(), EvalRunner.dataset(request).qrels()),
          // Read after the run, so that a calibration fitted meanwhile can be used.
          CalibrationOptions.forCascade(pipeline.spec(retriever), calibrationFile, "--reliability"),
          dataset.getFileName() + " " + split + ", " + report.evaluation().queries() + " queries",
          Optional.of(reliability));
    }
    out.flush();
    return 0;
  }

  private Set<String> selectedQueries() {
    return queryIds == null ? Set.of() : QueryIds.parse(queryIds);
  }

  /** {@code --sweep-fusion}: nDCG@10 and MRR@10 of the run re-fused at each weight, and rrf. */
  private void printFusionSweep(PrintWriter out, EvalReport report, Qrels qrels) {
    List<RerankFusion> fusions = new ArrayList<>();
    for (double w : sweepFusion) {
      fusions.add(RerankFusion.linear(w));
    }
    fusions.add(RerankFusion.parse("rrf"));
    List<FusionSweep.Point> points =
        FusionSweep.sweep(report.run(), qrels, fusions, List.of(Metric.NDCG_10, Metric.MRR_10));
    FusionSweep.Point best = null;
    for (FusionSweep.Point p : points) {
      if (p.fusion().method() == StageFusion.Method.LINEAR
          && (best == null
              || p.evaluation().mean(Metric.NDCG_10) > best.evaluation().mean(Metric.NDCG_10))) {
        best = p;
      }
    }
    out.printf(
        Locale.ROOT,
        "fusion of the last rerank stage with the earlier tier (%d queries)%n",
        report.evaluation().queries());
    out.printf(Locale.ROOT, "  %-14s %-9s %s%n", "rerank-fusion", "ndcg@10", "mrr@10");
    for (FusionSweep.Point p : points) {
      out.printf(
          Locale.ROOT,
          "  %-14s %-9.4f %.4f%s%n",
          p.fusion().label(),
          p.evaluation().mean(Metric.NDCG_10),
          p.evaluation().mean(Metric.MRR_10),
          p == best ? "  <- best linear weight" : "");
    }
  }
}
