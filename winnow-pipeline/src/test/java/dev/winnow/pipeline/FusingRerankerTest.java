package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.StageFusion;
import dev.winnow.api.StageScore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FusingRerankerTest {

  /** BM25-like d0..d3 at 10, 8, 6, 2; the stage (scores = the id's number) reverses them. */
  private static List<Hit> fused(RerankFusion f, int topN) {
    List<Hit> first =
        FakeRetriever.hits(
            "bm25", new String[] {"d0", "d1", "d2", "d3"}, new double[] {10, 8, 6, 2});
    return new FusingReranker(new PipelineTest.ById(), f).rerank(Query.of("q"), first, topN);
  }

  private static StageFusion fusion(Hit h) {
    List<StageScore> st = h.provenance().stages();
    return st.get(st.size() - 1).fusion().orElseThrow();
  }

  @Test
  void rerank_linearHalf_handChecked_tiesKeepTheFirstStageOrder() {
    List<Hit> out = fused(RerankFusion.linear(0.5), 4);
    // earlier minmax 1, .75, .5, 0; stage minmax 0, 1/3, 2/3, 1.
    assertThat(out).extracting(Hit::id).containsExactly("d2", "d1", "d0", "d3");
    assertThat(out.get(0).score()).isEqualTo(0.5 * 0.5 + 0.5 * (2.0 / 3));
    assertThat(out.get(2).score()).isEqualTo(0.5);
    assertThat(out.get(3).score()).isEqualTo(0.5);
    StageFusion f = fusion(out.get(0));
    assertThat(f.earlierScore()).isEqualTo(6);
    assertThat(f.earlierNormalized()).isEqualTo(0.5);
    assertThat(f.stageScore()).isEqualTo(2);
    assertThat(f.stageNormalized()).isEqualTo(2.0 / 3);
    assertThat(f.weight()).isEqualTo(0.5);
    assertThat(out.get(0).provenance().stages()).hasSize(1);
  }

  @Test
  void rerank_weightOneIsTheEarlierOrder_weightZeroTheStageOrder() {
    assertThat(fused(RerankFusion.linear(1), 4))
        .extracting(Hit::id)
        .containsExactly("d0", "d1", "d2", "d3");
    assertThat(fused(RerankFusion.linear(0), 4))
        .extracting(Hit::id)
        .containsExactly("d3", "d2", "d1", "d0");
  }

  @Test
  void rerank_rrf_handChecked() {
    List<Hit> out = fused(RerankFusion.parse("rrf"), 3);
    // d0: 1/61 + 1/64 = d3: 1/64 + 1/61 > d1: 1/62 + 1/63 = d2; ties by first-stage rank.
    assertThat(out).extracting(Hit::id).containsExactly("d0", "d3", "d1");
    assertThat(out.get(0).score()).isEqualTo(1.0 / 61 + 1.0 / 64);
  }

  @Test
  void explain_fusedStage_showsTheInputsAndEndsInTheScore() {
    for (Hit h : fused(RerankFusion.linear(0.6), 4)) {
      String text = Explanation.render(h, java.util.Optional.empty());
      StageFusion f = fusion(h);
      assertThat(text).contains("fused: linear 0.6000·minmax(earlier ");
      assertThat(ExplanationTest.lastNumber(text)).isEqualTo(h.score());
      assertThat(StageFusion.linear(f.weight(), f.earlierNormalized(), f.stageNormalized()))
          .isEqualTo(h.score());
    }
    Hit d1 =
        fused(RerankFusion.linear(0.6), 4).stream()
            .filter(h -> h.id().equals("d1"))
            .findFirst()
            .orElseThrow();
    assertThat(Explanation.render(d1, java.util.Optional.empty()))
        .contains(
            "fused: linear 0.6000·minmax(earlier 8.0000) + 0.4000·minmax(stage 1.0000) ="
                + " 0.6000·0.7500 + 0.4000·0.3333 = 0.5833");
  }

  @Test
  void cascadeSpec_readsRerankFusion_andRefusesBadValues() {
    CascadeSpec s =
        CascadeSpec.parse(
            "bm25", Map.of("rerank", "cross-encoder:/m@100", "rerank-fusion", "linear:0.6"));
    assertThat(s.rerankFusion()).hasValue(RerankFusion.linear(0.6));
    assertThat(s.describe())
        .isEqualTo("bm25 -> cross-encoder:/m@100 [truncate] fused linear:0.6000");
    assertThat(CascadeSpec.parse("bm25", Map.of("rerank-fusion", "none")).rerankFusion()).isEmpty();
    assertThatThrownBy(() -> RerankFusion.parse("linear:1.5"))
        .hasMessage("rerank-fusion linear weight must be in [0, 1], got 1.5");
    assertThatThrownBy(() -> RerankFusion.parse("linear:x"))
        .hasMessage("rerank-fusion linear needs a number after ':', got 'linear:x'");
    assertThatThrownBy(() -> RerankFusion.parse("linear"))
        .hasMessageContaining("needs the earlier tier's weight, e.g. linear:0.6");
    assertThatThrownBy(() -> RerankFusion.parse("max"))
        .hasMessage(
            "rerank-fusion must be none, linear:W (W in [0, 1], the earlier tier's weight) or"
                + " rrf[:K]; got 'max'");
  }
}
