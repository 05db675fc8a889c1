package dev.winnow.bench;

import java.util.List;

/**
 * One cross-encoder implementation under test, seen through the single shape every benchmark uses:
 * score documents against one query and return the raw logits in input order.
 *
 * <p>Every adapter reads the same model files, truncates to the same maximum length (set when it is
 * built) and runs ONNX Runtime with the same thread count, so the only difference left is how it
 * tokenizes, batches, pads and feeds the model. Adapters are not thread-safe: one caller at a time.
 */
public interface PairScorerAdapter extends AutoCloseable {

  /** A short stable name used in tables and on the command line (e.g. {@code naive-ort}). */
  String name();

  /** Scores {@code docs} against {@code query}; logits in input order, one per document. */
  ScoredBatch score(String query, List<String> docs);

  @Override
  void close();
}
