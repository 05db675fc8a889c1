package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.Hit;
import dev.winnow.api.SourceRank;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FusionTest {

  private static final RankedList A =
      new RankedList(
          "bm25",
          FakeRetriever.hits("bm25", new String[] {"a", "b", "c"}, new double[] {10, 6, 2}));
  private static final RankedList B =
      new RankedList(
          "dense",
          FakeRetriever.hits("dense", new String[] {"c", "a", "d"}, new double[] {0.9, 0.8, 0.5}));

  @Test
  void rrf_handComputedScores() {
    List<Hit> fused = new ReciprocalRankFusion(60).fuse(List.of(A, B), 10);
    assertThat(fused).extracting(Hit::id).containsExactly("a", "c", "b", "d");
    assertThat(fused.get(0).score()).isCloseTo(1.0 / 61 + 1.0 / 62, within(1e-15));
    assertThat(fused.get(1).score()).isCloseTo(1.0 / 63 + 1.0 / 61, within(1e-15));
    assertThat(fused.get(2).score()).isCloseTo(1.0 / 62, within(1e-15));
    assertThat(fused.get(3).score()).isCloseTo(1.0 / 63, within(1e-15));
  }

  @Test
  void rrf_smallK_weighsTopRanksMore() {
    List<Hit> fused = new ReciprocalRankFusion(0).fuse(List.of(A, B), 10);
    // k = 0: a = 1 + 1/2, c = 1/3 + 1, b = 1/2, d = 1/3
    assertThat(fused).extracting(Hit::score).containsExactly(1.5, 1.0 / 3 + 1.0, 0.5, 1.0 / 3);
  }

  @Test
  void rrf_isSymmetricInItsInputs() {
    RankedList c =
        new RankedList(
            "other",
            FakeRetriever.hits(
                "other", new String[] {"d", "b", "e", "a"}, new double[] {4, 3, 2, 1}));
    ReciprocalRankFusion rrf = new ReciprocalRankFusion();
    List<Hit> abc = rrf.fuse(List.of(A, B, c), 10);
    List<Hit> cba = rrf.fuse(List.of(c, B, A), 10);
    List<Hit> bca = rrf.fuse(List.of(B, c, A), 10);
    assertThat(cba)
        .extracting(Hit::id)
        .containsExactlyElementsOf(abc.stream().map(Hit::id).toList());
    assertThat(bca)
        .extracting(Hit::id)
        .containsExactlyElementsOf(abc.stream().map(Hit::id).toList());
    for (int i = 0; i < abc.size(); i++) {
      assertThat(cba.get(i).score()).isEqualTo(abc.get(i).score());
      assertThat(bca.get(i).score()).isEqualTo(abc.get(i).score());
    }
  }

  @Test
  void rrf_tiesBreakOnBestSourceRankThenId() {
    RankedList x =
        new RankedList("x", FakeRetriever.hits("x", new String[] {"p", "q"}, new double[] {2, 1}));
    RankedList y =
        new RankedList("y", FakeRetriever.hits("y", new String[] {"q", "p"}, new double[] {2, 1}));
    List<Hit> fused = new ReciprocalRankFusion().fuse(List.of(x, y), 10);
    // same score and same best rank (1): the id decides
    assertThat(fused).extracting(Hit::id).containsExactly("p", "q");
    assertThat(fused).isSortedAccordingTo(Hit.ORDER);
  }

  @Test
  void fuse_recordsSourcesAndFusedScoreInProvenance() {
    List<Hit> fused = new ReciprocalRankFusion(60).fuse(List.of(A, B), 10);
    Hit c = fused.get(1);
    assertThat(c.provenance().firstStageRank()).isEqualTo(2);
    assertThat(c.provenance().retriever()).isEqualTo("rrf(k=60)");
    assertThat(c.provenance().fusedScore()).hasValue(c.score());
    assertThat(c.provenance().sources())
        .containsExactly(new SourceRank("bm25", 3, 2), new SourceRank("dense", 1, 0.9));
    Hit d = fused.get(3);
    assertThat(d.provenance().sources()).containsExactly(new SourceRank("dense", 3, 0.5));
    assertThat(d.text()).isEqualTo("text of d");
  }

  @Test
  void fuse_keepsTheBestK() {
    assertThat(new ReciprocalRankFusion().fuse(List.of(A, B), 2))
        .extracting(Hit::id)
        .containsExactly("a", "c");
    assertThatThrownBy(() -> new ReciprocalRankFusion().fuse(List.of(A, B), 0))
        .hasMessageContaining("k must be >= 1, got 0");
  }

  @Test
  void fuse_emptyListsGiveEmptyResult() {
    assertThat(new ReciprocalRankFusion().fuse(List.of(new RankedList("x", List.of())), 5))
        .isEmpty();
    assertThat(
            LinearFusion.of(LinearFusion.Normalization.MIN_MAX, 0.5)
                .fuse(List.of(new RankedList("x", List.of()), B), 5))
        .extracting(Hit::id)
        .containsExactly("c", "a", "d");
  }

  @Test
  void linear_minMax_handComputed() {
    // A normalised: a 1, b .5, c 0; B normalised: c 1, a .75, d 0; missing = the list's floor, 0
    List<Hit> fused =
        LinearFusion.of(LinearFusion.Normalization.MIN_MAX, 0.5).fuse(List.of(A, B), 10);
    assertThat(fused).extracting(Hit::id).containsExactly("a", "c", "b", "d");
    assertThat(fused).extracting(Hit::score).containsExactly(0.875, 0.5, 0.25, 0.0);
  }

  @Test
  void linear_alphaOne_isTheFirstListOrder() {
    List<Hit> fused =
        LinearFusion.of(LinearFusion.Normalization.MIN_MAX, 1.0).fuse(List.of(A, B), 10);
    assertThat(fused.subList(0, 3)).extracting(Hit::id).containsExactly("a", "b", "c");
  }

  @Test
  void linear_zScore_handComputed() {
    double sdA = Math.sqrt((16.0 + 0 + 16) / 3);
    double meanB = (0.9 + 0.8 + 0.5) / 3;
    double sdB =
        Math.sqrt(
            ((0.9 - meanB) * (0.9 - meanB)
                    + (0.8 - meanB) * (0.8 - meanB)
                    + (0.5 - meanB) * (0.5 - meanB))
                / 3);
    double aA = 4 / sdA;
    double cA = -4 / sdA;
    double cB = (0.9 - meanB) / sdB;
    double aB = (0.8 - meanB) / sdB;
    double dB = (0.5 - meanB) / sdB;
    List<Hit> fused =
        LinearFusion.of(LinearFusion.Normalization.Z_SCORE, 0.3).fuse(List.of(A, B), 10);
    assertThat(fused).extracting(Hit::id).containsExactly("a", "c", "b", "d");
    assertThat(fused.get(0).score()).isCloseTo(0.3 * aA + 0.7 * aB, within(1e-12));
    assertThat(fused.get(1).score()).isCloseTo(0.3 * cA + 0.7 * cB, within(1e-12));
    assertThat(fused.get(2).score())
        .isCloseTo(0.3 * 0 + 0.7 * dB, within(1e-12)); // b: missing from B
    assertThat(fused.get(3).score())
        .isCloseTo(0.3 * cA + 0.7 * dB, within(1e-12)); // d: missing from A
  }

  @Test
  void linear_badArguments_areRejectedWithTheirValue() {
    assertThatThrownBy(() -> LinearFusion.of(LinearFusion.Normalization.MIN_MAX, 1.5))
        .hasMessage("alpha must be in [0, 1], got 1.5");
    assertThatThrownBy(
            () ->
                new LinearFusion(LinearFusion.Normalization.MIN_MAX, 1, 1, 1)
                    .fuse(List.of(A, B), 3))
        .hasMessageContaining("3 weights but got 2 lists");
    assertThatThrownBy(() -> LinearFusion.Normalization.parse("l2"))
        .hasMessageContaining("min-max, z-score; got 'l2'");
    assertThatThrownBy(() -> new ReciprocalRankFusion(-1)).hasMessage("rrf k must be >= 0, got -1");
  }

  @Test
  void rankedList_duplicateIds_areRejected() {
    List<Hit> dup = FakeRetriever.hits("x", new String[] {"a", "a"}, new double[] {2, 1});
    assertThatThrownBy(() -> new RankedList("x", dup)).hasMessageContaining("id 'a' twice");
  }

  @Test
  void explain_rrfArithmeticEndsInTheFusedScore() {
    ReciprocalRankFusion rrf = new ReciprocalRankFusion(60);
    Hit a = rrf.fuse(List.of(A, B), 10).get(0);
    String text = Explanation.render(a, Optional.of(rrf));
    assertThat(text).contains("1/(60+1) [bm25] + 1/(60+2) [dense] = 0.0325");
    assertThat(ExplanationTest.lastNumber(text)).isEqualTo(a.score());
  }
}
