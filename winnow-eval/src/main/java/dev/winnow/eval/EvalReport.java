package dev.winnow.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.winnow.api.Hit;
import dev.winnow.index.IngestResult;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one evaluation: what ran, the metric means (trec_eval {@code -c}), per-stage
 * latency, data-quality counts, the index used, and the run itself (for a TREC run file; hits carry
 * ids, scores and provenance, with empty texts).
 */
public record EvalReport(
    Path dataset,
    String split,
    String pipeline,
    int k,
    Evaluation evaluation,
    Map<String, LatencySummary> latency,
    int judgments,
    int unknownDocuments,
    int qrelsQueriesWithoutText,
    Path index,
    int indexDocuments,
    Optional<IngestResult> indexBuilt,
    Map<String, List<Hit>> run) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public EvalReport {
    Objects.requireNonNull(evaluation, "evaluation");
    latency = Collections.unmodifiableMap(new LinkedHashMap<>(latency));
    run = Collections.unmodifiableMap(new LinkedHashMap<>(run));
  }

  /** The metric means keyed by label ({@code ndcg@10}, ...), in report order. */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    evaluation.means().forEach((metric, v) -> m.put(metric.label(), v));
    return m;
  }

  /** The report as JSON: {@code {"metrics": {...}, "latency_ms": {...}, ...}}. */
  public String toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("dataset", dataset.toString());
    root.put("split", split);
    root.put("pipeline", pipeline);
    root.put("k", k);
    root.put("queries", evaluation.queries());
    root.put("metrics", metrics());
    Map<String, Object> lat = new LinkedHashMap<>();
    latency.forEach(
        (stage, s) -> {
          Map<String, Object> v = new LinkedHashMap<>();
          v.put("p50", s.p50());
          v.put("p95", s.p95());
          v.put("mean", s.mean());
          v.put("max", s.max());
          lat.put(stage, v);
        });
    root.put("latency_ms", lat);
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("judgments", judgments);
    q.put("unknown_documents", unknownDocuments);
    q.put("queries_without_relevant", evaluation.queriesWithoutRelevant());
    q.put("queries_without_text", qrelsQueriesWithoutText);
    q.put("queries_not_run", evaluation.queriesNotInRun());
    root.put("qrels", q);
    Map<String, Object> idx = new LinkedHashMap<>();
    idx.put("path", index.toString());
    idx.put("documents", indexDocuments);
    idx.put("built_now", indexBuilt.isPresent());
    indexBuilt.ifPresent(
        r -> {
          idx.put("build_seconds", r.elapsed().toNanos() / 1e9);
          idx.put("docs_per_second", r.documentsPerSecond());
        });
    root.put("index", idx);
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report as JSON", e);
    }
  }

  /** The report as aligned text lines for a terminal. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "dataset   %s (split %s)%n", dataset, split));
    sb.append(String.format(Locale.ROOT, "pipeline  %s, k=%d%n", pipeline, k));
    sb.append(
        String.format(
            Locale.ROOT,
            "index     %s (%d documents%s)%n",
            index,
            indexDocuments,
            indexBuilt
                .map(
                    r ->
                        String.format(
                            Locale.ROOT,
                            ", built now in %.1f s, %.0f docs/s",
                            r.elapsed().toNanos() / 1e9,
                            r.documentsPerSecond()))
                .orElse(", reused")));
    sb.append(
        String.format(
            Locale.ROOT,
            "queries   %d (qrels: %d judgments, %d of unknown documents, %d queries without"
                + " relevant, %d without text)%n",
            evaluation.queries(),
            judgments,
            unknownDocuments,
            evaluation.queriesWithoutRelevant(),
            qrelsQueriesWithoutText));
    metrics().forEach((m, v) -> sb.append(String.format(Locale.ROOT, "%-11s %.4f%n", m, v)));
    latency.forEach(
        (stage, s) ->
            sb.append(
                String.format(
                    Locale.ROOT,
                    "latency %-9s p50 %.2f ms  p95 %.2f ms  mean %.2f ms%n",
                    stage,
                    s.p50(),
                    s.p95(),
                    s.mean())));
    return sb.toString();
  }
}
