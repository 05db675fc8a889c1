package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.api.Hit;
import dev.winnow.api.PairScore;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import dev.winnow.testkit.Seeded;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of ranking over a deterministic fake scorer, checked on seeded random inputs: a rerank
 * returns a permutation of its input indices (a prefix of one under {@code top_n}), sorted by the
 * ordering rule; {@code top_n} cuts the full ranking; a score does not depend on the batch it was
 * scored in; RRF does not depend on the order of its input lists.
 */
class RankingPropertiesTest {

  private static final List<String> WORDS =
      List.of("cats", "eat", "fish", "dogs", "bark", "the", "river", "rice");
  private static final List<String> IDS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

  private final FakeCrossEncoder model = new FakeCrossEncoder(64);

  static Stream<Long> seeds200() {
    return Seeded.seeds(200);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds200")
  void rerank_isAPermutationPrefix_sortedByTheOrderingRule(long seed) {
    Random random = new Random(seed);
    String query = Seeded.nonBlankText(random, WORDS, 12);
    List<String> documents = Seeded.texts(random, WORDS, 1, 30, 12);
    int topN = 1 + random.nextInt(40);
    List<String> ids = IntStream.range(0, documents.size()).mapToObj(i -> "d" + i).toList();
    List<RankedDocument> ranked =
        model.rerank(query, ids, documents, topN, ScoringOptions.DEFAULTS);

    assertThat(ranked).hasSize(Math.min(topN, documents.size()));
    Set<Integer> indices = new HashSet<>();
    for (RankedDocument r : ranked) {
      assertThat(r.index()).isBetween(0, documents.size() - 1);
      assertThat(indices.add(r.index())).as("index %d twice", r.index()).isTrue();
      assertThat(r.id()).isEqualTo(ids.get(r.index()));
    }
    for (int i = 1; i < ranked.size(); i++) {
      assertThat(RankedDocument.ORDER.compare(ranked.get(i - 1), ranked.get(i))).isNegative();
    }
    List<RankedDocument> all =
        model.rerank(query, ids, documents, documents.size(), ScoringOptions.DEFAULTS);
    assertThat(all.stream().map(RankedDocument::index).sorted().toList())
        .isEqualTo(IntStream.range(0, documents.size()).boxed().toList());
    assertThat(ranked).isEqualTo(all.subList(0, ranked.size()));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds200")
  void score_doesNotDependOnTheBatch(long seed) {
    Random random = new Random(seed);
    String query = Seeded.nonBlankText(random, WORDS, 12);
    List<String> documents = Seeded.texts(random, WORDS, 1, 20, 12);
    List<PairScore> together = model.score(query, documents);
    for (int i = 0; i < documents.size(); i++) {
      PairScore alone = model.score(query, List.of(documents.get(i))).get(0);
      assertThat(together.get(i).logit()).isEqualTo(alone.logit());
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds200")
  void rrf_isSymmetricInTheOrderOfItsLists(long seed) {
    Random random = new Random(seed);
    int count = 1 + random.nextInt(4);
    List<RankedList> lists = new ArrayList<>();
    for (int l = 0; l < count; l++) {
      List<String> ids = new ArrayList<>(IDS);
      Collections.shuffle(ids, random);
      lists.add(toList("r" + l, ids.subList(0, random.nextInt(9))));
    }
    int k = 1 + random.nextInt(12);
    ReciprocalRankFusion rrf = new ReciprocalRankFusion();
    List<RankedList> reversed = new ArrayList<>(lists);
    Collections.reverse(reversed);
    List<Hit> a = rrf.fuse(lists, k);
    List<Hit> b = rrf.fuse(reversed, k);
    assertThat(b.stream().map(Hit::id).toList()).isEqualTo(a.stream().map(Hit::id).toList());
    assertThat(b.stream().map(Hit::score).toList()).isEqualTo(a.stream().map(Hit::score).toList());
  }

  private static RankedList toList(String retriever, List<String> ids) {
    List<Hit> hits = new ArrayList<>();
    for (int r = 0; r < ids.size(); r++) {
      hits.add(Hit.firstStage(ids.get(r), "text " + ids.get(r), r + 1, 10.0 - r, retriever));
    }
    return new RankedList(retriever, hits);
  }
}
