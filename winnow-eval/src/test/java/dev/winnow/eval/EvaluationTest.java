package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** trec_eval -c averaging: every qrels query counts, run-only queries do not. */
class EvaluationTest {

  private static Map<String, Map<String, Integer>> qrels() {
    Map<String, Map<String, Integer>> q = new LinkedHashMap<>();
    q.put("q1", Map.of("a", 1));
    q.put("q2", Map.of("b", 1, "c", 1));
    q.put("q3", Map.of("d", 0)); // judged, nothing relevant
    q.put("q4", Map.of("e", 1)); // not in the run
    return q;
  }

  @Test
  void mean_isOverAllQrelsQueries() {
    Map<String, List<String>> run = new LinkedHashMap<>();
    run.put("q1", List.of("a"));
    run.put("q2", List.of("x", "b"));
    run.put("q3", List.of("d"));
    run.put("q9", List.of("a")); // not in qrels: ignored
    Evaluation e = Evaluation.of(Qrels.of(qrels()), run, Metric.STANDARD);
    assertThat(e.queries()).isEqualTo(4);
    assertThat(e.queriesNotInRun()).isEqualTo(1);
    assertThat(e.queriesWithoutRelevant()).isEqualTo(1);
    // mrr: q1 1, q2 1/2, q3 0, q4 0 -> 1.5 / 4
    assertThat(e.mean(Metric.MRR_10)).isCloseTo(1.5 / 4, within(1e-15));
    // recall: q1 1, q2 1/2 -> 1.5 / 4
    assertThat(e.mean(Metric.RECALL_100)).isCloseTo(1.5 / 4, within(1e-15));
    assertThat(e.perQuery().get("q4").get(Metric.NDCG_10)).isZero();
    assertThat(e.perQuery()).doesNotContainKey("q9");
  }

  @Test
  void restrictTo_averagesOverTheSubsetOnly() {
    Qrels q = Qrels.of(qrels()).restrictTo(List.of("q1", "q2"));
    Evaluation e =
        Evaluation.of(q, Map.of("q1", List.of("a"), "q2", List.of("b")), Metric.STANDARD);
    assertThat(e.queries()).isEqualTo(2);
    assertThat(e.mean(Metric.MRR_10)).isEqualTo(1.0);
  }

  @Test
  void emptyQrels_isAClearError() {
    assertThatThrownBy(() -> Evaluation.of(Qrels.of(Map.of()), Map.of(), Metric.STANDARD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no queries to evaluate");
  }

  @Test
  void mean_ofAMetricNotComputed_isAClearError() {
    Evaluation e = Evaluation.of(Qrels.of(qrels()), Map.of(), List.of(Metric.NDCG_10));
    assertThatThrownBy(() -> e.mean(Metric.MAP_100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("map@100 was not computed");
  }
}
