package dev.winnow.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Metric values of a run against qrels: the mean of each metric and the per-query values.
 *
 * <p>Averaging follows trec_eval {@code -c}: the mean is over <em>every query in the qrels</em>. A
 * query the run does not answer (or answers with an empty list) contributes 0, and so does a query
 * whose judgments hold no relevant document (trec_eval evaluates it too, and every measure here is
 * 0 for it). Run entries for queries absent from the qrels are ignored, as trec_eval ignores them.
 * Restrict the qrels first ({@link Qrels#restrictTo}) to evaluate a subset of queries.
 */
public record Evaluation(
    Map<Metric, Double> means,
    Map<String, Map<Metric, Double>> perQuery,
    int queries,
    int queriesNotInRun,
    int queriesWithoutRelevant) {

  public Evaluation {
    means = Collections.unmodifiableMap(new LinkedHashMap<>(means));
    perQuery = Collections.unmodifiableMap(new LinkedHashMap<>(perQuery));
  }

  /**
   * Evaluates {@code run} (query id to document ids in presented order) against {@code qrels} with
   * the given metrics. Empty qrels are an {@link IllegalArgumentException}.
   */
  public static Evaluation of(Qrels qrels, Map<String, List<String>> run, List<Metric> metrics) {
    Objects.requireNonNull(qrels, "qrels");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(metrics, "metrics");
    if (qrels.queryIds().isEmpty()) {
      throw new IllegalArgumentException("no queries to evaluate: the qrels are empty");
    }
    if (metrics.isEmpty()) {
      throw new IllegalArgumentException("metrics must not be empty");
    }
    Map<Metric, Double> sums = new LinkedHashMap<>();
    metrics.forEach(m -> sums.put(m, 0.0));
    Map<String, Map<Metric, Double>> perQuery = new LinkedHashMap<>();
    int missing = 0;
    for (String q : qrels.queryIds()) {
      List<String> ranking = run.getOrDefault(q, List.of());
      if (!run.containsKey(q)) {
        missing++;
      }
      Map<String, Integer> judgments = qrels.judgments(q);
      Map<Metric, Double> values = new LinkedHashMap<>();
      for (Metric m : metrics) {
        double v = m.compute(ranking, judgments);
        values.put(m, v);
        sums.merge(m, v, Double::sum);
      }
      perQuery.put(q, Collections.unmodifiableMap(values));
    }
    int n = qrels.queryIds().size();
    Map<Metric, Double> means = new LinkedHashMap<>();
    sums.forEach((m, s) -> means.put(m, s / n));
    return new Evaluation(means, perQuery, n, missing, qrels.queriesWithoutRelevant());
  }

  /** The mean of one metric; an {@link IllegalArgumentException} if it was not computed. */
  public double mean(Metric metric) {
    Double v = means.get(metric);
    if (v == null) {
      throw new IllegalArgumentException(
          "metric " + metric + " was not computed; computed: " + means.keySet());
    }
    return v;
  }
}
