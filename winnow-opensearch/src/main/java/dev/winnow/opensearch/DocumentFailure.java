package dev.winnow.opensearch;

import java.util.Objects;

/**
 * One document the cluster did not take: its id, the HTTP status of its bulk item (0 when Winnow
 * refused it before sending), and the error type and reason as OpenSearch gave them.
 */
public record DocumentFailure(String id, int status, String type, String reason) {

  public DocumentFailure {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return id + ": " + (status == 0 ? "" : "HTTP " + status + " ") + type + ": " + reason;
  }
}
