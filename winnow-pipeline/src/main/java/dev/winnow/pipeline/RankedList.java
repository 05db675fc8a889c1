package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import java.util.List;
import java.util.Objects;

/**
 * One first-stage list to fuse: the retriever that produced it and its hits, best first. A hit's
 * rank in the list is its 1-based position.
 */
public record RankedList(String retriever, List<Hit> hits) {

  public RankedList {
    Objects.requireNonNull(retriever, "retriever");
    hits = List.copyOf(hits);
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Hit h : hits) {
      if (!seen.add(h.id())) {
        throw new IllegalArgumentException(
            "list '" + retriever + "' holds id '" + h.id() + "' twice; ids must be unique");
      }
    }
  }
}
