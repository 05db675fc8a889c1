package dev.winnow.opensearch;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a bulk ingestion did: documents indexed, documents that failed (each with its reason, never
 * silently dropped), how many requests were sent again after a 429, how many bulk requests were
 * sent, and the wall time including embedding and the final refresh.
 */
public record IngestReport(
    long indexed, List<DocumentFailure> failures, int retries, int requests, Duration elapsed) {

  public IngestReport {
    failures = List.copyOf(failures);
    Objects.requireNonNull(elapsed, "elapsed");
  }

  public boolean complete() {
    return failures.isEmpty();
  }

  /** Documents per second over the whole ingestion, 0 when nothing was indexed. */
  public double docsPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return indexed == 0 || s <= 0 ? 0 : indexed / s;
  }

  /** A one-paragraph summary: counts, then up to {@code maxListed} failures. */
  public String summary(int maxListed) {
    StringBuilder sb =
        new StringBuilder()
            .append(indexed)
            .append(" indexed, ")
            .append(failures.size())
            .append(" failed, ")
            .append(retries)
            .append(" retries after 429, ")
            .append(requests)
            .append(" bulk requests in ")
            .append(String.format(java.util.Locale.ROOT, "%.1f s", elapsed.toMillis() / 1000.0));
    for (int i = 0; i < Math.min(maxListed, failures.size()); i++) {
      sb.append("\n  ").append(failures.get(i));
    }
    if (failures.size() > maxListed) {
      sb.append("\n  ... and ").append(failures.size() - maxListed).append(" more");
    }
    return sb.toString();
  }
}
