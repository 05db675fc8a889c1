package dev.winnow.api;

import java.util.Objects;

/** A query: an id (for evaluation runs; any label otherwise) and its text. */
public record Query(String id, String text) {

  public Query {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
  }

  public static Query of(String text) {
    return new Query("q", text);
  }
}
