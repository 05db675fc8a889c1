package dev.winnow.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Inputs for the fixed-length workload: one SciFact test query and {@code batch} different corpus
 * texts cut on word boundaries so that every pair is exactly {@code length} tokens with specials,
 * no truncation needed. Every implementation therefore reads the same tokens, and a padding-free
 * batch costs exactly {@code batch} x the per-pair FLOPs of that length.
 */
public record FixedLengthInputs(int length, String query, List<String> docs) {

  static FixedLengthInputs build(SciFact data, TokenCounter tokens, int length, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    String query = data.queries().get(data.testIds().get(0));
    int budget = length - 3 - tokens.length(query);
    if (budget < 1) {
      throw new IllegalArgumentException(
          "length " + length + " leaves no room for a document after the query");
    }
    List<SciFact.Doc> corpus = new ArrayList<>(data.corpus().values());
    List<String> docs = new ArrayList<>(batch);
    for (int start = 0; start < corpus.size() && docs.size() < batch; start++) {
      // Long enough text: this document followed by the next ones.
      StringBuilder text = new StringBuilder();
      for (int j = start; j < corpus.size() && tokens.length(text.toString()) < budget + 8; j++) {
        if (text.length() > 0) {
          text.append(' ');
        }
        text.append(corpus.get(j).body());
      }
      String doc = tokens.prefixOfTokens(text.toString(), budget);
      if (!doc.isEmpty() && tokens.pairLength(query, doc) == length) {
        docs.add(doc);
      }
    }
    if (docs.size() < batch) {
      throw new IllegalStateException(
          "found only " + docs.size() + " texts of exactly " + length + " tokens, need " + batch);
    }
    return new FixedLengthInputs(length, query, List.copyOf(docs));
  }
}
