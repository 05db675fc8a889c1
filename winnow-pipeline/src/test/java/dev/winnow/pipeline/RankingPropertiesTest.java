package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.api.Hit;
import dev.winnow.api.PairScore;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of ranking over a deterministic fake scorer (jqwik): a rerank returns a permutation of
 * its input indices (a prefix of one under {@code top_n}), sorted by the ordering rule; {@code
 * top_n} cuts the full ranking; a score does not depend on the batch it was scored in; RRF does not
 * depend on the order of its input lists.
 */
class RankingPropertiesTest {

  private final FakeCrossEncoder model = new FakeCrossEncoder(64);

  @Provide
  Arbitrary<String> query() {
    return text().filter(q -> !q.isBlank());
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.of("cats", "eat", "fish", "dogs", "bark", "the", "river", "rice")
        .list()
        .ofMaxSize(12)
        .map(words -> String.join(" ", words));
  }

  @Property(tries = 200)
  void rerank_isAPermutationPrefix_sortedByTheOrderingRule(
      @ForAll("query") String query,
      @ForAll @Size(min = 1, max = 30) List<@From("text") String> documents,
      @ForAll @IntRange(min = 1, max = 40) int topN) {
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

  @Property(tries = 200)
  void score_doesNotDependOnTheBatch(
      @ForAll("query") String query,
      @ForAll @Size(min = 1, max = 20) List<@From("text") String> documents) {
    List<PairScore> together = model.score(query, documents);
    for (int i = 0; i < documents.size(); i++) {
      PairScore alone = model.score(query, List.of(documents.get(i))).get(0);
      assertThat(together.get(i).logit()).isEqualTo(alone.logit());
    }
  }

  @Provide
  Arbitrary<List<RankedList>> rankedLists() {
    Arbitrary<RankedList> list =
        Arbitraries.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
            .set()
            .ofMaxSize(8)
            .map(ArrayList::new)
            .flatMap(
                ids ->
                    Arbitraries.shuffle(ids)
                        .flatMap(
                            order ->
                                Arbitraries.strings()
                                    .alpha()
                                    .ofLength(3)
                                    .map(name -> toList(name, order))));
    return list.list().ofMinSize(1).ofMaxSize(4).uniqueElements(RankedList::retriever);
  }

  private static RankedList toList(String retriever, List<String> ids) {
    List<Hit> hits = new ArrayList<>();
    for (int r = 0; r < ids.size(); r++) {
      hits.add(Hit.firstStage(ids.get(r), "text " + ids.get(r), r + 1, 10.0 - r, retriever));
    }
    return new RankedList(retriever, hits);
  }

  @Property(tries = 300)
  void rrf_isSymmetricInTheOrderOfItsLists(
      @ForAll("rankedLists") List<RankedList> lists, @ForAll @IntRange(min = 1, max = 12) int k) {
    ReciprocalRankFusion rrf = new ReciprocalRankFusion();
    List<RankedList> reversed = new ArrayList<>(lists);
    java.util.Collections.reverse(reversed);
    List<Hit> a = rrf.fuse(lists, k);
    List<Hit> b = rrf.fuse(reversed, k);
    assertThat(b.stream().map(Hit::id).toList()).isEqualTo(a.stream().map(Hit::id).toList());
    assertThat(b.stream().map(Hit::score).toList()).isEqualTo(a.stream().map(Hit::score).toList());
  }
}
