package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.PairScore;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import dev.winnow.testkit.Seeded;
import dev.winnow.testkit.Shared;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ranking properties over the real engine on the tiny fixture, on a few seeded random inputs (each
 * runs the model): rerank returns a sorted permutation prefix of its inputs, and a score does not
 * depend on the padded batch it was scored in (within the fixture's fp32 bound, 1e-5).
 */
class TinyFixturePropertiesTest {

  private static final List<String> WORDS =
      List.of("aspirin", "fever", "reduces", "statins", "the", "cholesterol", "héllo");

  private static OnnxCrossEncoder encoder;

  @BeforeAll
  static void open() {
    encoder =
        OnnxCrossEncoder.open(
            ModelFolder.open(Shared.tinyFixture()), OnnxCrossEncoder.Options.defaults());
  }

  @AfterAll
  static void close() {
    if (encoder != null) {
      encoder.close();
    }
  }

  static Stream<Long> seeds() {
    return Seeded.seeds(10);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void rerank_isASortedPermutationPrefix(long seed) {
    Random random = new Random(seed);
    String query = Seeded.nonBlankText(random, WORDS, 40);
    List<String> documents = Seeded.texts(random, WORDS, 1, 12, 40);
    int topN = 1 + random.nextInt(15);
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

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void score_doesNotDependOnTheBatch(long seed) {
    Random random = new Random(seed);
    String query = Seeded.nonBlankText(random, WORDS, 40);
    List<String> documents = Seeded.texts(random, WORDS, 2, 10, 40);
    List<PairScore> together = encoder.score(query, documents);
    for (int i = 0; i < documents.size(); i++) {
      PairScore alone = encoder.score(query, List.of(documents.get(i))).get(0);
      assertThat(together.get(i).logit()).isCloseTo(alone.logit(), within(1e-5));
    }
  }
}
