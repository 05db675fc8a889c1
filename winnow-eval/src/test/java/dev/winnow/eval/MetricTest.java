package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-computed trec_eval values for one graded query. */
class MetricTest {

  // relevant: d1 (grade 2), d2 and d4 (grade 1); d3 judged non-relevant; dX, d5 unjudged
  static final Map<String, Integer> QRELS = Map.of("d1", 2, "d2", 1, "d3", 0, "d4", 1);
  static final List<String> RUN = List.of("d3", "d1", "dX", "d2", "d5");

  private static double m(String label) {
    return Metric.parse(label).compute(RUN, QRELS);
  }

  @Test
  void ndcg_usesGradesAsGainsAndTheIdealFromQrels() {
    // DCG = 2/log2(3) + 1/log2(5); IDCG = 2/log2(2) + 1/log2(3) + 1/log2(4)
    assertThat(m("ndcg@10")).isCloseTo(0.5405857679450102, within(1e-12));
    // cut at 2: DCG = 2/log2(3); IDCG = 2 + 1/log2(3)
    assertThat(m("ndcg@2")).isCloseTo(0.4796249331362629, within(1e-12));
    assertThat(m("ndcg@1")).isZero();
  }

  @Test
  void reciprocalRank_isCutAtK() {
    assertThat(m("mrr@10")).isEqualTo(0.5);
    assertThat(m("mrr@2")).isEqualTo(0.5);
    assertThat(m("mrr@1")).isZero();
  }

  @Test
  void recall_dividesByAllRelevant() {
    assertThat(m("recall@100")).isCloseTo(2.0 / 3, within(1e-15));
    assertThat(m("recall@2")).isCloseTo(1.0 / 3, within(1e-15));
  }

  @Test
  void mapCut_dividesByAllRelevantNotByRetrieved() {
    // precision at the relevant ranks 2 and 4: 1/2 and 2/4; three relevant in all
    assertThat(m("map@100")).isCloseTo(1.0 / 3, within(1e-15));
    assertThat(m("map@3")).isCloseTo(0.5 / 3, within(1e-15));
  }

  @Test
  void precision_dividesByTheCutoff() {
    assertThat(m("p@5")).isEqualTo(0.4);
    assertThat(m("p@10")).isEqualTo(0.2);
  }

  @Test
  void queryWithoutRelevant_scoresZeroEverywhere() {
    Map<String, Integer> none = Map.of("d1", 0);
    for (Metric metric : Metric.STANDARD) {
      assertThat(metric.compute(List.of("d1", "d2"), none)).isZero();
    }
  }

  @Test
  void emptyRanking_scoresZero() {
    for (Metric metric : Metric.STANDARD) {
      assertThat(metric.compute(List.of(), QRELS)).isZero();
    }
  }

  @Test
  void perfectRanking_scoresOne() {
    List<String> perfect = List.of("d1", "d2", "d4");
    for (Metric metric : Metric.STANDARD) {
      assertThat(metric.compute(perfect, QRELS)).as(metric.label()).isCloseTo(1.0, within(1e-12));
    }
  }

  @Test
  void repeatedDocument_isRejected() {
    assertThatThrownBy(() -> Metric.NDCG_10.compute(List.of("d1", "d1"), QRELS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'d1' twice");
  }

  @Test
  void parse_labelsAndErrors() {
    assertThat(Metric.parse("NDCG@10")).isEqualTo(Metric.NDCG_10);
    assertThat(Metric.parse("recall@100").trecEvalName()).isEqualTo("recall.100");
    assertThat(Metric.MAP_100.trecEvalName()).isEqualTo("map_cut.100");
    for (String bad :
        List.of("ndcg@", "ndcg@0", "bleu@4", "ndcg@x", "ndcg_cut.0", "recip_rank.10", "MAP")) {
      assertThatThrownBy(() -> Metric.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("metric must be one of")
          .hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void parse_trecEvalNames_areTheSameMeasures() {
    assertThat(Metric.parse("ndcg_cut.10")).isEqualTo(Metric.NDCG_10);
    assertThat(Metric.parse("recall.100")).isEqualTo(Metric.RECALL_100);
    assertThat(Metric.parse("map_cut.100")).isEqualTo(Metric.MAP_100);
    assertThat(Metric.parse("P.5")).isEqualTo(Metric.parse("p@5"));
    assertThat(Metric.parse("map").label()).isEqualTo("map");
    assertThat(Metric.parse("map").trecEvalName()).isEqualTo("map");
    assertThat(Metric.parse("recip_rank").trecEvalName()).isEqualTo("recip_rank");
    assertThat(Metric.parse("recip_rank").cutoff()).isEqualTo(Metric.ALL);
  }
}
