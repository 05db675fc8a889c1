package dev.winnow.api;

import java.util.List;

/**
 * What a late-interaction stage adds to a {@link StageScore}: where the document's token vectors
 * came from, and which document token each query token matched (the raw score is the sum of their
 * similarities).
 *
 * @param storedVectors true when the vectors were read from the index, false when the document was
 *     encoded at query time
 * @param matches one per query token, in query order
 */
public record LateInteractionScore(boolean storedVectors, List<TokenMatch> matches) {

  public LateInteractionScore {
    matches = List.copyOf(matches);
  }

  /** How the explanation names the vectors' origin. */
  public String vectorsLabel() {
    return storedVectors ? "stored" : "encoded at query time";
  }
}
