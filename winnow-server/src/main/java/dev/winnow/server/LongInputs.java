package dev.winnow.server;

import dev.winnow.api.PairScore;
import dev.winnow.pipeline.LongDocuments;
import dev.winnow.pipeline.PassageScorer;
import dev.winnow.pipeline.PassageScorer.TokenPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Inputs longer than the model's window on the rerank routes, measured in the model's own token
 * space (the engine's tokenizer, as a {@link PassageScorer}).
 *
 * <ul>
 *   <li>{@link #chunk Cohere chunking}: each document is cut to its first {@code
 *       max_tokens_per_doc} tokens, then split into chunks that fit the model together with the
 *       query (windows of {@link LongDocuments#windows}, a stride of one whole window, so chunks do
 *       not overlap except that the last one ends at the document's end); at most {@code
 *       max_chunks_per_doc} chunks are scored, and a document scores as its best chunk. The query
 *       is kept whole unless it would take more than three quarters of the model's room ({@link
 *       LongDocuments#queryKept}, the rule of the pipeline's maxp).
 *   <li>{@link #requireFits TEI's truncate: false}: a (query, text) pair longer than the model's
 *       maximum is refused, naming the text, its length and the limit, instead of being cut.
 * </ul>
 *
 * <p>Stateless utility; thread-safe as the tokenizer is.
 */
final class LongInputs {

  /** Cohere's default for {@code max_tokens_per_doc}. */
  static final int DEFAULT_MAX_TOKENS_PER_DOC = 4096;

  /** Cohere's default for {@code max_chunks_per_doc} (v1). */
  static final int DEFAULT_MAX_CHUNKS_PER_DOC = 10;

  private LongInputs() {}

  /**
   * How a Cohere route reads a long document: its first {@code maxTokensPerDoc} tokens, in at most
   * {@code maxChunksPerDoc} chunks.
   */
  record Chunking(int maxTokensPerDoc, int maxChunksPerDoc) {
    Chunking {
      if (maxTokensPerDoc < 1) {
        throw new IllegalArgumentException("maxTokensPerDoc must be >= 1, got " + maxTokensPerDoc);
      }
      if (maxChunksPerDoc < 1) {
        throw new IllegalArgumentException("maxChunksPerDoc must be >= 1, got " + maxChunksPerDoc);
      }
    }
  }

  /**
   * The chunks of every document as token pairs, in document order: document {@code d}'s are {@code
   * pairs[first[d], first[d + 1])}.
   */
  record Plan(List<TokenPair> pairs, int[] first) {

    int documents() {
      return first.length - 1;
    }

    /**
     * One verdict per document from the verdicts of all chunks (in {@link #pairs} order): the logit
     * and score of its best chunk (the first one on a tie) and the tokens the model read over all
     * its chunks.
     */
    List<PairScore> best(List<PairScore> chunkScores) {
      if (chunkScores.size() != pairs.size()) {
        throw new IllegalStateException(
            chunkScores.size() + " scores for " + pairs.size() + " chunks");
      }
      List<PairScore> out = new ArrayList<>(documents());
      for (int d = 0; d < documents(); d++) {
        PairScore best = chunkScores.get(first[d]);
        long tokens = 0;
        for (int i = first[d]; i < first[d + 1]; i++) {
          PairScore s = chunkScores.get(i);
          tokens += s.tokens();
          if (s.logit() > best.logit()) {
            best = s;
          }
        }
        out.add(new PairScore(best.logit(), best.score(), Math.toIntExact(tokens)));
      }
      return out;
    }
  }

  /**
   * Splits every text into chunks that fit {@code maxLength} tokens with the query (see the class
   * javadoc). A query of which the tokenizer keeps nothing is refused ({@link ApiError} 422).
   */
  static Plan chunk(
      PassageScorer tokenizer, String query, List<String> texts, int maxLength, Chunking chunking) {
    int specials = tokenizer.pairSpecialTokens();
    int[] q = tokenizer.tokenize(query);
    if (q.length == 0) {
      throw ApiError.invalid(
          "query has no tokens the model can read (only characters its tokenizer drops)");
    }
    int kept = LongDocuments.queryKept(q.length, maxLength, specials);
    int[] queryIds = kept == q.length ? q : Arrays.copyOf(q, kept);
    int width = maxLength - specials - kept;
    List<TokenPair> pairs = new ArrayList<>(texts.size());
    int[] first = new int[texts.size() + 1];
    List<int[]> documents = tokenizer.tokenize(texts, chunking.maxTokensPerDoc());
    for (int d = 0; d < texts.size(); d++) {
      int[] ids = documents.get(d);
      int n = ids.length;
      for (LongDocuments.Span s :
          LongDocuments.windows(n, width, width, chunking.maxChunksPerDoc())) {
        pairs.add(new TokenPair(queryIds, Arrays.copyOfRange(ids, s.start(), s.end())));
      }
      first[d + 1] = pairs.size();
    }
    return new Plan(List.copyOf(pairs), first);
  }

  /**
   * One pair per text, cut from the left to fit {@code maxLength} (TEI's {@code
   * truncation_direction: left}): the lengths kept are those of longest-first truncation (the
   * longer sequence loses tokens first; the document on a tie), and each sequence keeps its end.
   */
  static Plan keepEnds(PassageScorer tokenizer, String query, List<String> texts, int maxLength) {
    int budget = maxLength - tokenizer.pairSpecialTokens();
    int[] q = tokenizer.tokenize(query);
    List<TokenPair> pairs = new ArrayList<>(texts.size());
    int[] first = new int[texts.size() + 1];
    for (int d = 0; d < texts.size(); d++) {
      int[] doc = tokenizer.tokenize(texts.get(d));
      int keepQ = q.length;
      int keepD = doc.length;
      if (q.length + doc.length > budget) {
        boolean documentLonger = doc.length >= q.length;
        int shorter = documentLonger ? q.length : doc.length;
        int keepShorter = 2 * shorter <= budget ? shorter : budget / 2;
        int keepLonger = budget - keepShorter;
        keepQ = documentLonger ? keepShorter : keepLonger;
        keepD = documentLonger ? keepLonger : keepShorter;
      }
      pairs.add(new TokenPair(tail(q, keepQ), tail(doc, keepD)));
      first[d + 1] = d + 1;
    }
    return new Plan(List.copyOf(pairs), first);
  }

  private static int[] tail(int[] ids, int keep) {
    return keep >= ids.length ? ids : Arrays.copyOfRange(ids, ids.length - keep, ids.length);
  }

  /**
   * Refuses ({@link ApiError} 422, TEI's {@code validation}) when any (query, text) pair, special
   * tokens included, is longer than {@code maxLength}: the message names the first such text, its
   * length and the limit, and how many others are too long.
   */
  static void requireFits(
      PassageScorer tokenizer, String query, List<String> texts, String field, int maxLength) {
    int base = tokenizer.tokenize(query).length + tokenizer.pairSpecialTokens();
    int firstOver = -1;
    int firstTokens = 0;
    int over = 0;
    for (int i = 0; i < texts.size(); i++) {
      int n = base + tokenizer.tokenize(texts.get(i)).length;
      if (n > maxLength) {
        if (over++ == 0) {
          firstOver = i;
          firstTokens = n;
        }
      }
    }
    if (over > 0) {
      throw ApiError.invalid(
          field
              + "["
              + firstOver
              + "] with the query is "
              + firstTokens
              + " tokens (special tokens included), more than the model's maximum of "
              + maxLength
              + (over > 1 ? "; " + (over - 1) + " more of the " + field + " are too long" : "")
              + "; shorten it or send \"truncate\": true to have it cut");
    }
  }
}
