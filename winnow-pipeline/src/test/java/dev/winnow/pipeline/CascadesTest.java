package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.BundledEncoders;
import dev.winnow.onnx.hub.ModelResolver;
import dev.winnow.testkit.Shared;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pipelines built from specs over a small index with real MiniLM vectors. */
class CascadesTest {

  private static final String[][] DOCS = {
    {"1", "Arctic terns fly from the Arctic to the Antarctic every year."},
    {"2", "Yeast ferments sugar and the dough rises."},
    {"3", "Songbirds leave northern forests in autumn to follow their food south."},
    {"4", "Solar cells turn photons into electric current."},
    {"5", "Parking rules on South Street change in winter."}
  };

  private static WinnowIndex index() {
    List<Document> docs = new ArrayList<>();
    for (String[] d : DOCS) {
      docs.add(Document.of(d[0], d[1]));
    }
    WinnowIndex index = WinnowIndex.inMemory();
    try (var enc = BundledEncoders.miniLm(2)) {
      index.ingest(docs.iterator(), Optional.of(enc), 8, n -> {});
    }
    return index;
  }

  @Test
  void hybridThenRescoring_everyHitExplainsItsScore() {
    List<String> warnings = new ArrayList<>();
    try (WinnowIndex index = index();
        Cascades.Opened o =
            Cascades.open(
                CascadeSpec.parse(
                    "hybrid",
                    Map.of(
                        "embedder",
                        "minilm",
                        "vector-search",
                        "exact",
                        "rerank",
                        "bi-encoder:minilm@4")),
                index,
                5,
                3,
                ModelResolver.fromEnvironment(),
                warnings::add)) {
      Pipeline.Result r = o.pipeline().search(Query.of("why do birds fly south in winter"));
      assertThat(r.hits()).hasSize(3);
      assertThat(r.hits().get(0).id()).isEqualTo("3");
      for (Hit h : r.hits()) {
        assertThat(h.provenance().sources()).isNotEmpty();
        assertThat(h.provenance().stages()).hasSize(1);
        assertThat(h.provenance().stages().get(0).cached()).isTrue(); // index vectors reused
        String text = o.pipeline().explain(h);
        assertThat(ExplanationTest.lastNumber(text)).isEqualTo(h.score());
      }
      assertThat(r.timings())
          .extracting(Pipeline.StageTiming::stage)
          .containsExactly(
              "hybrid:rrf(k=60)[bm25+dense:all-minilm-l6-v2]", "bi-encoder:all-minilm-l6-v2");
      assertThat(warnings).isEmpty();
    }
  }

  @Test
  void denseWithTheWrongEmbedder_isRefusedNamingBoth() {
    try (WinnowIndex index = index()) {
      assertThatThrownBy(
              () ->
                  Cascades.open(
                      CascadeSpec.parse("dense", Map.of("embedder", "bge-small")),
                      index,
                      5,
                      3,
                      ModelResolver.fromEnvironment(),
                      s -> {}))
          .hasMessageContaining("needs an index holding bge-small vectors")
          .hasMessageContaining("holds all-minilm-l6-v2");
    }
  }

  @Test
  void crossEncoderFixture_isUsedButWarnedAboutLoudly() {
    List<String> warnings = new ArrayList<>();
    String fixture = Shared.tinyFixture().toString();
    try (WinnowIndex index = index();
        Cascades.Opened o =
            Cascades.open(
                CascadeSpec.parse(
                    "bm25", Map.of("rerank", "cross-encoder:" + fixture, "strategy", "maxp")),
                index,
                5,
                2,
                ModelResolver.fromEnvironment(),
                warnings::add)) {
      List<Hit> hits = o.pipeline().search(Query.of("arctic terns")).hits();
      assertThat(warnings)
          .singleElement()
          .asString()
          .contains("TEST FIXTURE")
          .contains("NO relevance meaning");
      assertThat(hits).isNotEmpty();
      assertThat(hits.get(0).provenance().stages().get(0).window()).isPresent();
    }
  }
}
