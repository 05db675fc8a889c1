package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Hit;
import dev.winnow.api.PassageWindow;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.StageScore;
import dev.winnow.api.Truncation;
import dev.winnow.pipeline.LongDocuments.Strategy;
import dev.winnow.testkit.RerankerContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CrossEncoderRerankerTest {

  private static String filler(int n, String word) {
    List<String> w = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      w.add(word + i);
    }
    return String.join(" ", w);
  }

  private static StageScore stage(Reranker r, Query q, String docText) {
    Hit h = Hit.firstStage("d", docText, 1, 1.0, "bm25");
    Hit out = r.rerank(q, List.of(h), 1).get(0);
    return out.provenance().stages().get(0);
  }

  private static CrossEncoderReranker with(FakeCrossEncoder ce, Strategy s) {
    return CrossEncoderReranker.builder(ce).strategy(s).build();
  }

  @Test
  void maxp_findsTheRelevantSentenceAtTheEndOfALongDocument() {
    FakeCrossEncoder ce = new FakeCrossEncoder(32);
    Query q = Query.of("where do arctic terns migrate");
    String doc = filler(60, "noise") + " arctic terns migrate between the poles";
    StageScore truncate = stage(with(ce, Strategy.TRUNCATE), q, doc);
    StageScore first = stage(with(ce, Strategy.FIRST), q, doc);
    StageScore maxp = stage(with(ce, Strategy.MAXP), q, doc);
    assertThat(truncate.raw()).isLessThan(0);
    assertThat(first.raw()).isLessThan(0);
    assertThat(maxp.raw()).isGreaterThan(2.9);
    // 66 doc tokens, width 32-3-5 = 24, stride 12: windows at 0, 12, 24, 36 and the last at 42
    PassageWindow w = maxp.window().orElseThrow();
    assertThat(w).isEqualTo(new PassageWindow(4, 5, 42, 66, 0));
    assertThat(first.window().orElseThrow()).isEqualTo(new PassageWindow(0, 5, 0, 24, 42));
    assertThat(truncate.window()).isEmpty();
  }

  @Test
  void maxp_strideAndPassageLengthAreHonoured() {
    FakeCrossEncoder ce = new FakeCrossEncoder(32);
    Query q = Query.of("zebra");
    String doc = filler(7, "noise") + " zebra " + filler(12, "more");
    CrossEncoderReranker r =
        CrossEncoderReranker.builder(ce).strategy(Strategy.MAXP).passageTokens(5).stride(5).build();
    StageScore s = stage(r, q, doc);
    assertThat(s.raw()).isEqualTo(1 - 0.005);
    assertThat(s.window().orElseThrow()).isEqualTo(new PassageWindow(1, 4, 5, 10, 0));
    assertThat(r.name()).isEqualTo("cross-encoder:fake-ce/maxp");
  }

  @Test
  void first_keepsALongQueryWholeWhereTruncateCutsIt() {
    FakeCrossEncoder ce = new FakeCrossEncoder(32);
    // 20 query tokens, the telling one last; longest-first truncation of a 41-token document cuts
    // the query to 15 tokens and loses it, first keeps all 20 and reads the document's first 9
    Query q = Query.of(filler(19, "word") + " zebra");
    String doc = "zebra " + filler(40, "noise");
    StageScore truncate = stage(with(ce, Strategy.TRUNCATE), q, doc);
    StageScore first = stage(with(ce, Strategy.FIRST), q, doc);
    assertThat(truncate.raw()).isLessThan(0);
    assertThat(first.raw()).isEqualTo(1 - 0.009);
    assertThat(first.window().orElseThrow()).isEqualTo(new PassageWindow(0, 9, 0, 9, 32));
  }

  @Test
  void first_withAShortPassage_readsOnlyThatPassage() {
    FakeCrossEncoder ce = new FakeCrossEncoder(32);
    Query q = Query.of("zebra");
    String doc = filler(7, "noise") + " zebra " + filler(3, "more");
    StageScore fit = stage(with(ce, Strategy.FIRST), q, doc);
    StageScore shortP =
        stage(
            CrossEncoderReranker.builder(ce).strategy(Strategy.FIRST).passageTokens(5).build(),
            q,
            doc);
    assertThat(fit.raw()).isGreaterThan(0.9);
    assertThat(shortP.raw()).isLessThan(0);
    assertThat(shortP.window().orElseThrow().droppedTokens()).isEqualTo(6);
  }

  @Test
  void truncate_usesTheEnginesTruncationRule() {
    FakeCrossEncoder ce = new FakeCrossEncoder(32);
    Query q = Query.of(filler(19, "word") + " zebra");
    String doc = "zebra " + filler(40, "noise");
    CrossEncoderReranker onlySecond =
        CrossEncoderReranker.builder(ce)
            .options(ScoringOptions.DEFAULTS.withTruncation(Truncation.ONLY_SECOND))
            .build();
    assertThat(stage(onlySecond, q, doc).raw()).isGreaterThan(0.9);
  }

  @Test
  void cache_secondCallIsServedFromTheCacheWithTheSameScores() {
    FakeCrossEncoder ce = new FakeCrossEncoder(32);
    PairScoreCache cache = new PairScoreCache(100);
    CrossEncoderReranker r =
        CrossEncoderReranker.builder(ce).strategy(Strategy.MAXP).cache(cache).build();
    Query q = Query.of("arctic terns");
    List<Hit> in =
        List.of(
            Hit.firstStage("a", "arctic terns " + filler(40, "x"), 1, 2, "bm25"),
            Hit.firstStage("b", "terns", 2, 1, "bm25"));
    List<Hit> one = r.rerank(q, in, 2);
    int scored = ce.pairsScored.get();
    List<Hit> two = r.rerank(q, in, 2);
    assertThat(ce.pairsScored.get()).isEqualTo(scored);
    assertThat(one).allMatch(h -> !h.provenance().stages().get(0).cached());
    assertThat(two).allMatch(h -> h.provenance().stages().get(0).cached());
    assertThat(two)
        .extracting(Hit::score)
        .containsExactlyElementsOf(one.stream().map(Hit::score).toList());
    assertThat(two.get(0).provenance().stages().get(0).window())
        .isEqualTo(one.get(0).provenance().stages().get(0).window());
    assertThat(cache.hits()).isEqualTo(2);
    // another strategy is another key
    with(ce, Strategy.TRUNCATE);
    CrossEncoderReranker.builder(ce)
        .strategy(Strategy.TRUNCATE)
        .cache(cache)
        .build()
        .rerank(q, in, 2);
    assertThat(cache.size()).isEqualTo(4);
  }

  @Test
  void cache_evictsTheLeastRecentlyUsed() {
    PairScoreCache c = new PairScoreCache(2);
    PairScoreCache.Key k1 = new PairScoreCache.Key("m", "", "q", "h1", 512, "truncate");
    PairScoreCache.Key k2 = new PairScoreCache.Key("m", "", "q", "h2", 512, "truncate");
    PairScoreCache.Key k3 = new PairScoreCache.Key("m", "", "q", "h3", 512, "truncate");
    c.put(k1, new PairScoreCache.Entry(1, java.util.Optional.empty()));
    c.put(k2, new PairScoreCache.Entry(2, java.util.Optional.empty()));
    c.get(k1);
    c.put(k3, new PairScoreCache.Entry(3, java.util.Optional.empty()));
    assertThat(c.get(k2)).isEmpty();
    assertThat(c.get(k1)).isPresent();
    assertThat(c.size()).isEqualTo(2);
    assertThatThrownBy(() -> new PairScoreCache(0))
        .hasMessage("cache capacity must be >= 1, got 0");
  }

  @Test
  void windowedStrategies_withoutATokenizer_areRefused() {
    dev.winnow.api.CrossEncoder plain = new PlainCrossEncoder(new FakeCrossEncoder(32));
    assertThatThrownBy(() -> CrossEncoderReranker.builder(plain).strategy(Strategy.MAXP).build())
        .hasMessageContaining("maxp needs the cross-encoder's tokenizer");
  }

  @Test
  void scores_applyTheActivationToTheRawLogit() {
    FakeCrossEncoder ce = new FakeCrossEncoder(32);
    StageScore s = stage(with(ce, Strategy.TRUNCATE), Query.of("zebra"), "zebra");
    assertThat(s.activation()).isEqualTo(dev.winnow.api.Activation.SIGMOID);
    assertThat(s.score()).isEqualTo(1 / (1 + Math.exp(-s.raw())));
  }

  /** A cross-encoder that is not a PassageScorer. */
  record PlainCrossEncoder(FakeCrossEncoder inner) implements dev.winnow.api.CrossEncoder {
    @Override
    public List<dev.winnow.api.PairScore> scorePairs(
        List<dev.winnow.api.TextPair> pairs, ScoringOptions options) {
      return inner.scorePairs(pairs, options);
    }

    @Override
    public String name() {
      return "plain";
    }

    @Override
    public dev.winnow.api.Activation defaultActivation() {
      return inner.defaultActivation();
    }

    @Override
    public int maxLength() {
      return inner.maxLength();
    }

    @Override
    public void close() {}
  }

  @Nested
  class TruncateContract extends RerankerContract {
    @Override
    protected Reranker reranker() {
      return with(new FakeCrossEncoder(24), Strategy.TRUNCATE);
    }
  }

  @Nested
  class FirstContract extends RerankerContract {
    @Override
    protected Reranker reranker() {
      return with(new FakeCrossEncoder(24), Strategy.FIRST);
    }
  }

  @Nested
  class MaxpCachedContract extends RerankerContract {
    private final Reranker r =
        CrossEncoderReranker.builder(new FakeCrossEncoder(16))
            .strategy(Strategy.MAXP)
            .cache(new PairScoreCache(64))
            .build();

    @Override
    protected Reranker reranker() {
      return r;
    }
  }
}
