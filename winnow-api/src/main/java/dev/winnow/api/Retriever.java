package dev.winnow.api;

import java.util.List;

/**
 * A first stage: finds up to {@code k} candidates for a query, ordered by {@link Hit#ORDER}, ranks
 * starting at 1. Implementations are thread-safe.
 */
public interface Retriever {

  List<Hit> retrieve(Query query, int k);

  /** A short name used in provenance and reports, e.g. {@code bm25}. */
  String name();
}
