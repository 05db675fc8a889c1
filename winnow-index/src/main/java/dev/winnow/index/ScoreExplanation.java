package dev.winnow.index;

import java.util.Objects;

/**
 * Why a document got its first-stage score: the score and Lucene's explanation tree as text. The
 * score equals the one the retriever reported for that document.
 */
public record ScoreExplanation(String id, double score, String details) {

  public ScoreExplanation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(details, "details");
  }
}
