package dev.winnow.index;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of a committed ingestion: documents read from the input, documents the index holds
 * after the commit (fewer than read plus before when ids repeat: a repeated id replaces the earlier
 * document), and the time from the first read to the durable commit.
 */
public record IngestResult(long documentsRead, int documentsInIndex, Duration elapsed) {

  public IngestResult {
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** Documents read per second of elapsed time (0 when no time elapsed). */
  public double documentsPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds > 0 ? documentsRead / seconds : 0;
  }
}
