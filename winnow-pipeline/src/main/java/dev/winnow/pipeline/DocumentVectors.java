package dev.winnow.pipeline;

import java.util.Optional;

/**
 * Document embeddings computed ahead of time (stored in a vector index, say), looked up by document
 * id. Implementations are thread-safe.
 */
public interface DocumentVectors {

  /** The vector of document {@code id}, or empty when it has none. */
  Optional<float[]> vector(String id);

  /** The vectors of {@code ids}, in order; implementations may look them up in one pass. */
  default java.util.List<Optional<float[]>> vectors(java.util.List<String> ids) {
    java.util.List<Optional<float[]>> out = new java.util.ArrayList<>(ids.size());
    for (String id : ids) {
      out.add(vector(id));
    }
    return out;
  }

  /** The name of the encoder that made the vectors; a reranker refuses vectors of another. */
  String encoder();

  /** No stored vectors: every document is embedded on demand. */
  static DocumentVectors none(String encoder) {
    return new DocumentVectors() {
      @Override
      public Optional<float[]> vector(String id) {
        return Optional.empty();
      }

      @Override
      public String encoder() {
        return encoder;
      }
    };
  }
}
