package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.PairScore;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import dev.winnow.testkit.Shared;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Ranking properties over the real engine on the tiny fixture, with few tries (each runs the
 * model): rerank returns a sorted permutation prefix of its inputs, and a score does not depend on
 * the padded batch it was scored in (within the fixture's fp32 bound, 1e-5).
 */
class TinyFixturePropertiesTest {

  private static OnnxCrossEncoder encoder;

  @BeforeContainer
  static void open() {
    encoder =
        OnnxCrossEncoder.open(
            ModelFolder.open(Shared.tinyFixture()), OnnxCrossEncoder.Options.defaults());
  }

  @AfterContainer
  static void close() {
    if (encoder != null) {
      encoder.close();
    }
  }

  @Provide
  Arbitrary<String> query() {
    return text().filter(q -> !q.isBlank());
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.of("aspirin", "fever", "reduces", "statins", "the", "cholesterol", "héllo")
        .list()
        .ofMaxSize(40)
        .map(words -> String.join(" ", words));
  }

  @Property(tries = 10)
  void rerank_isASortedPermutationPrefix(
      @ForAll("query") String query,
      @ForAll @Size(min = 1, max = 12) List<@From("text") String> documents,
      @ForAll @IntRange(min = 1, max = 15) int topN) {
    List<String> ids = IntStream.range(0, documents.size()).mapToObj(i -> "d" + i).toList();
    List<RankedDocument> ranked =
        encoder.rerank(query, ids, documents, topN, ScoringOptions.DEFAULTS);
    assertThat(ranked).hasSize(Math.min(topN, documents.size()));
    assertThat(ranked.stream().map(RankedDocument::index).distinct().count())
        .isEqualTo(ranked.size());
    for (int i = 1; i < ranked.size(); i++) {
      assertThat(RankedDocument.ORDER.compare(ranked.get(i - 1), ranked.get(i))).isNegative();
      assertThat(ranked.get(i).score()).isFinite();
    }
  }

  @Property(tries = 10)
  void score_doesNotDependOnTheBatch(
      @ForAll("query") String query,
      @ForAll @Size(min = 2, max = 10) List<@From("text") String> documents) {
    List<PairScore> together = encoder.score(query, documents);
    for (int i = 0; i < documents.size(); i++) {
      PairScore alone = encoder.score(query, List.of(documents.get(i))).get(0);
      assertThat(together.get(i).logit()).isCloseTo(alone.logit(), within(1e-5));
    }
  }
}
