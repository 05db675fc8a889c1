package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.pipeline.CascadeSpec.RerankSpec;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class CascadeSpecTest {

  @Test
  void parse_defaults() {
    CascadeSpec s = CascadeSpec.bm25();
    assertThat(s.retriever()).isEqualTo("bm25");
    assertThat(s.embedder()).isEqualTo("bge-small");
    assertThat(s.rerank()).isEmpty();
    assertThat(s.fusionFunction().name()).isEqualTo("rrf(k=60)");
    assertThat(s.describe()).isEqualTo("bm25");
  }

  @Test
  void parse_hybridWithTwoStages() {
    CascadeSpec s =
        CascadeSpec.parse(
            "hybrid",
            Map.of(
                "embedder", "all-minilm-l6-v2",
                "fusion", "linear",
                "alpha", "0.3",
                "normalization", "z-score",
                "vector-search", "exact",
                "rerank", "bi-encoder:bge-small@100, cross-encoder:/models/ce@20",
                "strategy", "maxp",
                "stride", "64"));
    assertThat(s.embedder()).isEqualTo("minilm");
    assertThat(s.exact()).isTrue();
    assertThat(s.rerank())
        .containsExactly(
            new RerankSpec(RerankSpec.Kind.BI_ENCODER, "bge-small", OptionalInt.of(100)),
            new RerankSpec(RerankSpec.Kind.CROSS_ENCODER, "/models/ce", OptionalInt.of(20)));
    assertThat(s.crossEncoder().stride()).hasValue(64);
    assertThat(s.describe())
        .isEqualTo(
            "hybrid(minilm, exact) linear(zscore, w=0.3000/0.7000) depth 100 -> bi-encoder:bge-small@100"
                + " -> cross-encoder:/models/ce@20 [maxp]");
  }

  @Test
  void parse_lateInteractionStage_beforeACrossEncoder() {
    CascadeSpec s =
        CascadeSpec.parse(
            "bm25",
            Map.of("rerank", "late-interaction:/models/colbert@100,cross-encoder:/models/ce@20"));
    assertThat(s.rerank())
        .containsExactly(
            new RerankSpec(
                RerankSpec.Kind.LATE_INTERACTION, "/models/colbert", OptionalInt.of(100)),
            new RerankSpec(RerankSpec.Kind.CROSS_ENCODER, "/models/ce", OptionalInt.of(20)));
    assertThat(s.describe())
        .isEqualTo(
            "bm25 -> late-interaction:/models/colbert@100 -> cross-encoder:/models/ce@20 [truncate]");
    assertThatThrownBy(() -> RerankSpec.parse("late-interaction: "))
        .hasMessage("rerank 'late-interaction: ' names no model");
  }

  @Test
  void rerankSpec_hubIdWithRevisionKeepsItsAt() {
    RerankSpec r = RerankSpec.parse("cross-encoder:org/name@v2");
    assertThat(r.model()).isEqualTo("org/name@v2");
    assertThat(r.k()).isEmpty();
    assertThat(RerankSpec.parse("cross-encoder:org/name@v2@30").k()).hasValue(30);
  }

  @Test
  void parse_badValues_nameTheOption() {
    assertThatThrownBy(() -> CascadeSpec.parse("bm25", Map.of("depht", "3")))
        .hasMessageContaining("unknown pipeline option 'depht'; known: alpha, cache, depth");
    assertThatThrownBy(() -> CascadeSpec.parse("hybrid", Map.of("alpha", "2")))
        .hasMessage("alpha must be in [0, 1], got 2.0");
    assertThatThrownBy(() -> CascadeSpec.parse("hybrid", Map.of("rrf-k", "x")))
        .hasMessageContaining("rrf-k must be an integer, got 'x'");
    assertThatThrownBy(() -> CascadeSpec.parse("hybrid", Map.of("vector-search", "ivf")))
        .hasMessageContaining("hnsw, exact; got 'ivf'");
    assertThatThrownBy(() -> RerankSpec.parse("bi-encoder:minilm@0"))
        .hasMessageContaining("must be >= 1, got 0");
    assertThatThrownBy(() -> RerankSpec.parse("bge-small"))
        .hasMessageContaining("rerank must be none, bi-encoder:<bge-small|minilm>[@k]");
  }
}
