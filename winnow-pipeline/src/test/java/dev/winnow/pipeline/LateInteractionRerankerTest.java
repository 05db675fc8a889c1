package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.LateInteractionScore;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.StageScore;
import dev.winnow.api.TokenMatch;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.OnnxLateInteraction;
import dev.winnow.onnx.hub.ModelResolver;
import dev.winnow.testkit.RerankerContract;
import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The late-interaction stage over the tiny ColBERT fixture (random weights: its scores test the
 * plumbing and the reference's arithmetic, never relevance).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LateInteractionRerankerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Path fixture;
  private OnnxLateInteraction colbert;

  @BeforeAll
  void load() {
    fixture = Shared.require("models/tiny-colbert-fixture");
    colbert = OnnxLateInteraction.open(fixture, OnnxLateInteraction.Options.of("tiny-colbert"));
  }

  @AfterAll
  void close() {
    if (colbert != null) {
      colbert.close();
    }
  }

  @Test
  void rerank_scoresAreTheReferenceMaxSim_andExplainTheirTokenMatches() throws IOException {
    String query = null;
    Map<String, Double> expected = new HashMap<>();
    List<Hit> candidates = new ArrayList<>();
    for (String line : Files.readAllLines(fixture.resolve("golden.jsonl"))) {
      JsonNode g = JSON.readTree(line);
      switch (g.get("kind").asText()) {
        case "query" -> query = g.get("id").asText().equals("q10") ? g.get("text").asText() : query;
        case "document" ->
            candidates.add(
                Hit.firstStage(
                    g.get("id").asText(),
                    g.get("text").asText(),
                    candidates.size() + 1,
                    20 - candidates.size(),
                    "bm25"));
        default -> {
          if (g.get("query").asText().equals("q10")) {
            expected.put(g.get("document").asText(), g.get("maxsim").asDouble());
          }
        }
      }
    }
    Reranker r = new LateInteractionReranker(colbert);
    List<Hit> out = r.rerank(Query.of(query), candidates, 5);
    assertThat(out).hasSize(5);
    assertThat(r.name()).isEqualTo("late-interaction:tiny-colbert");
    for (Hit h : out) {
      assertThat(h.score()).isCloseTo(expected.get(h.id()), within(1e-4));
      StageScore s = h.provenance().stages().get(0);
      assertThat(s.raw()).isEqualTo(h.score());
      LateInteractionScore li = s.lateInteraction().orElseThrow();
      assertThat(li.storedVectors()).isFalse();
      assertThat(li.matches()).hasSize(32); // query_maxlen: [MASK] augmentation included
      double sum = li.matches().stream().mapToDouble(TokenMatch::similarity).sum();
      assertThat(sum).isCloseTo(h.score(), within(1e-4));
      String text = Explanation.render(h, Optional.empty());
      assertThat(text)
          .contains("late-interaction:tiny-colbert: raw ")
          .contains("MaxSim, document vectors encoded at query time")
          .contains("query token 1 [unused0] -> document token ")
          .contains("query token 31 [MASK] -> document token ");
      assertThat(ExplanationTest.lastNumber(text)).isEqualTo(h.score());
    }
    double best = expected.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    assertThat(out.get(0).score()).isCloseTo(best, within(1e-4));
  }

  @Test
  void cascade_lateInteractionThenNothing_overBm25() {
    List<String> warnings = new ArrayList<>();
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.ingest(
          List.of(
                  Document.of("1", "Arctic terns migrate from pole to pole."),
                  Document.of("2", "Terns eat fish."),
                  Document.of("3", "Yeast makes bread rise."))
              .iterator(),
          Optional.empty(),
          8,
          n -> {});
      try (Cascades.Opened o =
          Cascades.open(
              CascadeSpec.parse("bm25", Map.of("rerank", "late-interaction:" + fixture + "@3")),
              index,
              3,
              2,
              ModelResolver.fromEnvironment(),
              warnings::add)) {
        Pipeline.Result res = o.pipeline().search(Query.of("terns"));
        assertThat(res.hits()).hasSize(2);
        for (Hit h : res.hits()) {
          assertThat(h.provenance().stages()).hasSize(1);
          assertThat(h.provenance().stages().get(0).stage())
              .isEqualTo("late-interaction:tiny-colbert-fixture");
        }
      }
    }
    assertThat(warnings).singleElement().asString().contains("is a TEST FIXTURE");
  }

  @Nested
  class TinyColbertContract extends RerankerContract {
    @Override
    protected Reranker reranker() {
      return new LateInteractionReranker(colbert);
    }

    @Override
    protected double batchTolerance() {
      return 1e-4; // the fixture's MaxSim tolerance, padded batches vs alone
    }
  }
}
