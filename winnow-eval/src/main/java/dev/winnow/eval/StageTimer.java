package dev.winnow.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Collects how long each stage of one query took (wall-clock nanoseconds, summed when a stage runs
 * more than once). One timer per query; not thread-safe.
 */
public final class StageTimer {

  private final Map<String, Long> nanos = new LinkedHashMap<>();

  /** Runs {@code work} and records its time under {@code stage}. */
  public <T> T time(String stage, Supplier<T> work) {
    Objects.requireNonNull(stage, "stage");
    long start = System.nanoTime();
    try {
      return work.get();
    } finally {
      record(stage, System.nanoTime() - start);
    }
  }

  /** Adds {@code elapsedNanos} to {@code stage}. */
  public void record(String stage, long elapsedNanos) {
    Objects.requireNonNull(stage, "stage");
    if (elapsedNanos < 0) {
      throw new IllegalArgumentException("elapsedNanos must be >= 0, got " + elapsedNanos);
    }
    nanos.merge(stage, elapsedNanos, Long::sum);
  }

  /** Stage name to nanoseconds, in the order stages first ran. */
  public Map<String, Long> stages() {
    return Collections.unmodifiableMap(nanos);
  }
}
