package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelinesTest {

  @Test
  void vectorModel_isTheFirstStagesEmbedderElseTheRescoringModel() {
    assertThat(Pipelines.vectorModel(PipelineSpec.of("bm25"))).isEmpty();
    assertThat(Pipelines.vectorModel(new PipelineSpec("bm25", Map.of("k1", "1.2")))).isEmpty();
    assertThat(Pipelines.vectorModel(PipelineSpec.of("dense"))).hasValue("bge-small");
    assertThat(Pipelines.vectorModel(new PipelineSpec("hybrid", Map.of("embedder", "minilm"))))
        .hasValue("minilm");
    assertThat(
            Pipelines.vectorModel(
                new PipelineSpec(
                    "bm25", Map.of("rerank", "bi-encoder:minilm@50,cross-encoder:x/y"))))
        .hasValue("minilm");
    assertThat(
            Pipelines.vectorModel(new PipelineSpec("bm25", Map.of("rerank", "cross-encoder:x/y"))))
        .isEmpty();
  }

  @Test
  void check_refusesUnknownRetrieversAndMixedOptions() {
    assertThatThrownBy(() -> Pipelines.check(PipelineSpec.of("splade")))
        .hasMessageContaining("retriever must be one of [bm25, dense, hybrid]; got 'splade'");
    assertThatThrownBy(
            () ->
                Pipelines.check(
                    new PipelineSpec("bm25", Map.of("k1", "1.2", "rerank", "bi-encoder:minilm"))))
        .hasMessageContaining("pipeline option k1 applies to plain bm25 only");
    assertThatThrownBy(() -> Pipelines.check(new PipelineSpec("hybrid", Map.of("fusion", "max"))))
        .hasMessageContaining("fusion must be one of rrf, linear; got 'max'");
  }

  @Test
  void check_rerankFusion_isAPipelineOption_asRegressionFilesWriteIt() {
    Pipelines.check(
        new PipelineSpec(
            "bm25", Map.of("rerank", "cross-encoder:x/y", "rerank-fusion", "linear:0.6")));
    assertThatThrownBy(
            () ->
                Pipelines.check(
                    new PipelineSpec(
                        "bm25", Map.of("rerank", "cross-encoder:x/y", "rerank-fusion", "max"))))
        .hasMessageContaining("rerank-fusion must be none, linear:W");
  }
}
