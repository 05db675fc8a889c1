package dev.winnow.onnx;

import java.util.Objects;

/**
 * A (query, document) pair already turned into token ids, without special tokens and before any
 * truncation: what {@link PairTokenizer#tokenize(String)} gives for each side. The max-passage
 * pipeline builds these from windows over a document's tokens and scores them with {@link
 * OnnxCrossEncoder#scoreTokenized}.
 *
 * <p>The arrays are copied on construction; the accessors return the record's own arrays, which
 * callers must not modify.
 */
public record TokenizedPair(int[] queryIds, int[] documentIds) {

  public TokenizedPair {
    Objects.requireNonNull(queryIds, "queryIds");
    Objects.requireNonNull(documentIds, "documentIds");
    queryIds = queryIds.clone();
    documentIds = documentIds.clone();
  }
}
