package dev.winnow.pipeline;

import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What passage-window scoring needs from a cross-encoder beyond {@link
 * dev.winnow.api.CrossEncoder}: its tokenizer, and scoring of pairs that are already token ids. The
 * reranker cuts documents into windows in token space, so a window's bounds are exact and no text
 * is re-tokenized differently at a cut. Implementations are thread-safe.
 */
public interface PassageScorer {

  /** The word-piece ids of {@code text}: no special tokens, no truncation. */
  int[] tokenize(String text);

  /**
   * The first {@code maxTokens} word-piece ids of each text, no special tokens; an implementation
   * may read only as much of each text as that takes, and tokenize the texts in one call.
   */
  default List<int[]> tokenize(List<String> texts, int maxTokens) {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }
    List<int[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      int[] ids = tokenize(t);
      out.add(ids.length <= maxTokens ? ids : Arrays.copyOf(ids, maxTokens));
    }
    return out;
  }

  /**
   * How many special tokens a (query, document) pair adds, e.g. 3 for {@code [CLS] q [SEP] d
   * [SEP]}.
   */
  int pairSpecialTokens();

  /**
   * Scores pairs of token ids, in input order; the implementation adds the special tokens. Each
   * pair fits the model: {@code query + document + pairSpecialTokens() <= maxLength}.
   */
  List<PairScore> scoreTokenized(List<TokenPair> pairs, ScoringOptions options);

  /** A (query ids, document ids) pair without special tokens. Arrays are not copied. */
  record TokenPair(int[] query, int[] document) {}
}
