package dev.winnow.api;

import java.util.Objects;

/**
 * Which document token one query token matched in a late-interaction score: positions among the
 * vectors that were scored, their token strings, and the similarity (the query token's term of the
 * MaxSim sum).
 */
public record TokenMatch(
    int queryToken, String queryText, int documentToken, String documentText, double similarity) {

  public TokenMatch {
    Objects.requireNonNull(queryText, "queryText");
    Objects.requireNonNull(documentText, "documentText");
  }
}
