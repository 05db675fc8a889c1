package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.StageScore;
import dev.winnow.api.Truncation;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.BundledEncoders;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxBiEncoder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.pipeline.LongDocuments.Strategy;
import dev.winnow.testkit.RerankerContract;
import dev.winnow.testkit.Shared;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The rerankers over the real engine: the bundled MiniLM bi-encoder (real weights) and the tiny
 * cross-encoder fixture (random weights: its scores test plumbing, never relevance).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxRerankersTest {

  private OnnxBiEncoder miniLm;

  @BeforeAll
  void load() {
    miniLm = BundledEncoders.miniLm(2);
  }

  @AfterAll
  void close() {
    miniLm.close();
  }

  private static OnnxCrossEncoder tiny() {
    return OnnxCrossEncoder.open(ModelFolder.open(Shared.tinyFixture()));
  }

  @Test
  void biEncoder_storedVectorsGiveTheSameScoresAsEmbeddingOnTheFly() {
    List<Document> docs =
        List.of(
            new Document(
                "1", "Terns", "Arctic terns migrate from pole to pole.", java.util.Map.of()),
            new Document("2", "Bread", "Yeast makes bread dough rise.", java.util.Map.of()),
            new Document("3", "Sleep", "Sleep consolidates memories.", java.util.Map.of()));
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.ingest(docs.iterator(), Optional.of(miniLm), 1, n -> {});
      Query q = Query.of("which birds migrate the furthest");
      List<Hit> first = new Bm25Retriever(index).retrieve(Query.of("terns bread sleep"), 3);
      List<Hit> stored =
          new BiEncoderReranker(miniLm, IndexDocumentVectors.of(index, miniLm.name()), 8)
              .rerank(q, first, 3);
      List<Hit> fresh = new BiEncoderReranker(miniLm).rerank(q, first, 3);
      assertThat(stored.get(0).id()).isEqualTo("1");
      assertThat(stored)
          .extracting(Hit::id)
          .containsExactlyElementsOf(fresh.stream().map(Hit::id).toList());
      for (int i = 0; i < 3; i++) {
        assertThat(stored.get(i).score()).isCloseTo(fresh.get(i).score(), within(1e-5));
        assertThat(stored.get(i).provenance().stages().get(0).cached()).isTrue();
      }
    }
  }

  @Test
  void crossEncoder_firstWithAShortQuery_readsWhatOnlySecondTruncationReads() {
    try (OnnxCrossEncoder ce = tiny()) {
      Query q = Query.of("arctic tern migration");
      String longDoc = "The arctic tern flies from pole to pole. ".repeat(80);
      List<Hit> in = List.of(Hit.firstStage("d", longDoc, 1, 1, "bm25"));
      ScoringOptions onlySecond = ScoringOptions.DEFAULTS.withTruncation(Truncation.ONLY_SECOND);
      StageScore first =
          CrossEncoderReranker.builder(ce)
              .passages(new OnnxPassages(ce))
              .strategy(Strategy.FIRST)
              .build()
              .rerank(q, in, 1)
              .get(0)
              .provenance()
              .stages()
              .get(0);
      StageScore truncated =
          CrossEncoderReranker.builder(ce)
              .options(onlySecond)
              .build()
              .rerank(q, in, 1)
              .get(0)
              .provenance()
              .stages()
              .get(0);
      assertThat(first.raw()).isCloseTo(truncated.raw(), within(1e-5));
      int docTokens = ce.tokenizer().tokenize(longDoc).length;
      int queryTokens = ce.tokenizer().tokenize(q.text()).length;
      int width = ce.maxLength() - 3 - queryTokens;
      assertThat(first.window().orElseThrow().endToken()).isEqualTo(width);
      assertThat(first.window().orElseThrow().droppedTokens()).isEqualTo(docTokens - width);
    }
  }

  @Test
  void crossEncoder_maxp_scoresTheWinningWindowAsItsOwnDocument() {
    try (OnnxCrossEncoder ce = tiny()) {
      Query q = Query.of("arctic tern migration");
      String doc =
          "Bread rises because yeast ferments sugar. ".repeat(60) + "Arctic terns migrate.";
      CrossEncoderReranker maxp =
          CrossEncoderReranker.builder(ce)
              .passages(new OnnxPassages(ce))
              .strategy(Strategy.MAXP)
              .passageTokens(64)
              .stride(32)
              .build();
      StageScore s =
          maxp.rerank(q, List.of(Hit.firstStage("d", doc, 1, 1, "bm25")), 1)
              .get(0)
              .provenance()
              .stages()
              .get(0);
      var w = s.window().orElseThrow();
      int[] ids = ce.tokenizer().tokenize(doc);
      assertThat(w.count()).isEqualTo(LongDocuments.windowCount(ids.length, 64, 32));
      assertThat(w.droppedTokens()).isEqualTo(Math.max(0, ids.length - (15 * 32 + 64)));
      // the reported window, scored on its own, gives the reported logit
      int[] window = java.util.Arrays.copyOfRange(ids, w.startToken(), w.endToken());
      double alone =
          ce.scoreTokenized(
                  List.of(
                      new dev.winnow.onnx.TokenizedPair(ce.tokenizer().tokenize(q.text()), window)),
                  ScoringOptions.DEFAULTS.withActivation(dev.winnow.api.Activation.RAW))
              .get(0)
              .logit();
      assertThat(s.raw()).isCloseTo(alone, within(1e-5));
    }
  }

  @Nested
  class MiniLmBiEncoderContract extends RerankerContract {
    @Override
    protected Reranker reranker() {
      return new BiEncoderReranker(miniLm, DocumentVectors.none(miniLm.name()), 3);
    }

    @Override
    protected double batchTolerance() {
      return 1e-5; // fp32 model, padded batches vs one by one (the engine's own bound)
    }
  }

  @Nested
  class TinyCrossEncoderMaxpContract extends RerankerContract {
    private final OnnxCrossEncoder ce = tiny();

    @Override
    protected Reranker reranker() {
      return CrossEncoderReranker.builder(ce)
          .strategy(Strategy.MAXP)
          .passages(new OnnxPassages(ce))
          .passageTokens(8)
          .build();
    }

    @Override
    protected double batchTolerance() {
      return 1e-5; // fp32 fixture: padded batch vs batch of 1 within 3e-7 (fixture README)
    }
  }
}
