package dev.winnow.api;

import java.util.List;

/**
 * A bi-encoder: turns texts into fixed-size vectors. Queries and documents may be encoded
 * differently (a query prefix, say). Implementations are thread-safe.
 */
public interface Encoder extends AutoCloseable {

  float[][] encodeQueries(List<String> queries);

  float[][] encodeDocuments(List<String> documents);

  int dimension();

  /** A short name used in provenance and reports, e.g. {@code bge-small}. */
  String name();

  @Override
  void close();
}
