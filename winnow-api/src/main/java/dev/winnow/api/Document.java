package dev.winnow.api;

import java.util.Map;
import java.util.Objects;

/**
 * A document as ingested: an id, an optional title (empty when absent), the body text and string
 * metadata.
 */
public record Document(String id, String title, String text, Map<String, String> metadata) {

  public Document {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(text, "text");
    if (id.isBlank()) {
      throw new IllegalArgumentException("id must not be blank, got '" + id + "'");
    }
    metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
  }

  public static Document of(String id, String text) {
    return new Document(id, "", text, Map.of());
  }

  /** Title and text joined by a space, the "flat" view that retrieval and reranking read. */
  public String fullText() {
    return title.isEmpty() ? text : title + " " + text;
  }
}
