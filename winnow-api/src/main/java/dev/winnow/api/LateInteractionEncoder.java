package dev.winnow.api;

import java.util.List;

/**
 * A late-interaction (ColBERT-style) encoder: turns a text into one vector per token, queries and
 * documents each in their own way (markers, query augmentation, a punctuation skiplist), so that a
 * document's relevance is the MaxSim of the two sets. Implementations are thread-safe.
 */
public interface LateInteractionEncoder extends AutoCloseable {

  /** One {@link TokenVectors} per query, in input order. */
  List<TokenVectors> encodeQueries(List<String> queries);

  /** One {@link TokenVectors} per document, in input order. */
  List<TokenVectors> encodeDocuments(List<String> documents);

  /** The length of every token vector. */
  int dimension();

  /** A short name used in provenance and reports, e.g. {@code colbertv2.0}. */
  String name();

  @Override
  void close();
}
