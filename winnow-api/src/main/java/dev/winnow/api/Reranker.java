package dev.winnow.api;

import java.util.List;

/**
 * A later stage: re-scores candidates and returns at most {@code topN} of them ordered by {@link
 * Hit#ORDER}, each with one more {@link StageScore} in its provenance. Implementations are
 * thread-safe; an empty candidate list gives an empty result without any model call.
 */
public interface Reranker {

  List<Hit> rerank(Query query, List<Hit> candidates, int topN);

  /**
   * A short name used in provenance and reports, e.g. {@code cross-encoder:ms-marco-MiniLM-L6-v2}.
   */
  String name();
}
