package dev.winnow.api;

import java.util.Objects;

/** A (query, document) pair for a cross-encoder. */
public record TextPair(String query, String document) {

  public TextPair {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(document, "document");
  }
}
