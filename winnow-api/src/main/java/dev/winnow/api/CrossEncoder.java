package dev.winnow.api;

import java.util.ArrayList;
import java.util.List;

/**
 * A cross-encoder: reads query and document together and gives one relevance score per pair.
 *
 * <p>Implementations are thread-safe and long-lived; close them to release native resources. A
 * score never depends on which other pairs were scored in the same call. A model that outputs NaN
 * is an error ({@link IllegalStateException}), never a top score.
 */
public interface CrossEncoder extends AutoCloseable {

  /** Scores pairs, returned in input order. Pairs may have different queries. */
  List<PairScore> scorePairs(List<TextPair> pairs, ScoringOptions options);

  /** Scores documents against one query, returned in input order. */
  default List<PairScore> score(String query, List<String> documents, ScoringOptions options) {
    List<TextPair> pairs = new ArrayList<>(documents.size());
    for (String d : documents) {
      pairs.add(new TextPair(query, d));
    }
    return scorePairs(pairs, options);
  }

  default List<PairScore> score(String query, List<String> documents) {
    return score(query, documents, ScoringOptions.DEFAULTS);
  }

  /**
   * Ranks documents (ids parallel to texts) by {@link RankedDocument#ORDER} and keeps the best
   * {@code topN}.
   */
  default List<RankedDocument> rerank(
      String query, List<String> ids, List<String> texts, int topN, ScoringOptions options) {
    if (topN < 1) {
      throw new IllegalArgumentException("topN must be >= 1, got " + topN);
    }
    if (ids.size() != texts.size()) {
      throw new IllegalArgumentException(
          "ids and texts must have the same size, got " + ids.size() + " and " + texts.size());
    }
    List<PairScore> scores = score(query, texts, options);
    List<RankedDocument> ranked = new ArrayList<>(scores.size());
    for (int i = 0; i < scores.size(); i++) {
      PairScore s = scores.get(i);
      ranked.add(new RankedDocument(i, ids.get(i), s.logit(), s.score()));
    }
    ranked.sort(RankedDocument.ORDER);
    return List.copyOf(ranked.subList(0, Math.min(topN, ranked.size())));
  }

  /**
   * The common case in one call, as sentence-transformers' {@code CrossEncoder.rank(query,
   * documents, top_k)}: the best {@code topK} of {@code documents} for {@code query}, best first,
   * each with its {@link RankedDocument#index() index} in {@code documents} (its id is that index
   * as text) and its score under the model's default options.
   */
  default List<RankedDocument> rank(String query, List<String> documents, int topK) {
    List<String> ids = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      ids.add(Integer.toString(i));
    }
    return rerank(query, ids, documents, topK, ScoringOptions.DEFAULTS);
  }

  /** The model's name or id as a user would name it. */
  String name();

  /** The activation used when the options name none. */
  Activation defaultActivation();

  /** The maximum total length in tokens used when the options name none. */
  int maxLength();

  @Override
  void close();
}
