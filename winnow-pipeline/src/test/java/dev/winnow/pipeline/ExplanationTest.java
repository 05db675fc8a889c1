package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.api.Activation;
import dev.winnow.api.Hit;
import dev.winnow.api.PassageWindow;
import dev.winnow.api.StageScore;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExplanationTest {

  /** The number after the last {@code score = }. */
  static double lastNumber(String explanation) {
    String marker = "score = ";
    return Double.parseDouble(
        explanation.substring(explanation.lastIndexOf(marker) + marker.length()).trim());
  }

  @Test
  void render_firstStageOnly_endsInTheScore() {
    Hit h = Hit.firstStage("d7", "t", 3, 12.345678901234, "bm25");
    String text = Explanation.render(h, Optional.empty());
    assertThat(text).contains("first stage bm25: rank 3, score 12.3457");
    assertThat(lastNumber(text)).isEqualTo(h.score());
  }

  @Test
  void render_everyStage_showsLogitActivationWindowAndCache() {
    Hit h =
        Hit.firstStage("d7", "t", 3, 12.5, "bm25")
            .rescored(
                new StageScore(
                    "bi-encoder:bge-small", 0.8123, Activation.RAW, 0.8123, Optional.empty(), true))
            .rescored(
                new StageScore(
                    "cross-encoder:m/maxp",
                    1.7,
                    Activation.SIGMOID,
                    Activation.SIGMOID.apply(1.7),
                    Optional.of(new PassageWindow(2, 4, 200, 500, 0)),
                    false));
    String text = Explanation.render(h, Optional.empty());
    assertThat(text)
        .contains("stage 1 bi-encoder:bge-small: raw 0.8123, cached")
        .contains(
            "stage 2 cross-encoder:m/maxp: sigmoid(1.7000) = 0.8455, window 3/4 tokens [200, 500), 0 tokens unread");
    assertThat(lastNumber(text)).isEqualTo(h.score());
  }

  @Test
  void render_pipelineOutput_everyHitsExplanationEqualsItsScore() {
    FakeCrossEncoder ce = new FakeCrossEncoder(64);
    HybridRetriever hybrid =
        new HybridRetriever(
            List.of(
                new FakeRetriever(
                    "bm25",
                    FakeRetriever.hits(
                        "bm25", new String[] {"a", "b", "c"}, new double[] {3, 2, 1})),
                new FakeRetriever(
                    "dense",
                    FakeRetriever.hits("dense", new String[] {"c", "d"}, new double[] {0.9, 0.1}))),
            new ReciprocalRankFusion());
    Pipeline p =
        new Pipeline(
            hybrid,
            4,
            List.of(
                new Pipeline.Stage(new BiEncoderReranker(new FakeEncoder()), 4),
                new Pipeline.Stage(CrossEncoderReranker.builder(ce).build(), 3)),
            2);
    for (Hit h : p.search(dev.winnow.api.Query.of("text of c")).hits()) {
      String text = p.explain(h);
      assertThat(text).contains("fused: 1/(60+");
      assertThat(lastNumber(text)).isEqualTo(h.score());
    }
  }
}
