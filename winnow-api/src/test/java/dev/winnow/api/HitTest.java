package dev.winnow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HitTest {

  @Test
  void order_scoreDescendingThenFirstStageRankThenId() {
    Hit a = Hit.firstStage("a", "", 2, 1.0, "bm25");
    Hit b = Hit.firstStage("b", "", 1, 1.0, "bm25");
    Hit c = Hit.firstStage("c", "", 3, 2.0, "bm25");
    Hit d = new Hit("0", "", 1.0, Provenance.firstStage("bm25", 2, 1.0));
    List<Hit> hits = new ArrayList<>(List.of(a, b, c, d));
    hits.sort(Hit.ORDER);
    assertThat(hits).extracting(Hit::id).containsExactly("c", "b", "0", "a");
  }

  @Test
  void constructor_nanScore_isRejected() {
    assertThatThrownBy(() -> Hit.firstStage("x", "", 1, Double.NaN, "bm25"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
  }

  @Test
  void rescored_appendsStageAndKeepsFirstStage() {
    Hit h = Hit.firstStage("x", "t", 4, 7.5, "bm25");
    Hit r =
        h.rescored(new StageScore("ce", 0.5, Activation.SIGMOID, 0.62, Optional.empty(), false));
    assertThat(r.score()).isEqualTo(0.62);
    assertThat(r.provenance().firstStageRank()).isEqualTo(4);
    assertThat(r.provenance().firstStageScore()).isEqualTo(7.5);
    assertThat(r.provenance().stages()).hasSize(1);
  }

  @Test
  void activation_parse_namesAllowedValues() {
    assertThat(Activation.parse("Sigmoid")).isEqualTo(Activation.SIGMOID);
    assertThatThrownBy(() -> Activation.parse("tanh"))
        .hasMessageContaining("raw, sigmoid")
        .hasMessageContaining("tanh");
  }
}
