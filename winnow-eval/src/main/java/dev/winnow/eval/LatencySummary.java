package dev.winnow.eval;

import java.util.Arrays;
import java.util.Collection;

/**
 * Per-query latency of one stage in milliseconds: nearest-rank percentiles over all timed queries
 * (no interpolation), the mean and the maximum.
 */
public record LatencySummary(int count, double p50, double p95, double mean, double max) {

  /** Summarises nanosecond samples; an empty collection is an {@link IllegalArgumentException}. */
  public static LatencySummary ofNanos(Collection<Long> nanos) {
    if (nanos.isEmpty()) {
      throw new IllegalArgumentException("no latency samples to summarise");
    }
    long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    double sum = Arrays.stream(s).sum();
    return new LatencySummary(
        s.length,
        ms(s[rank(0.50, s.length)]),
        ms(s[rank(0.95, s.length)]),
        sum / s.length / 1e6,
        ms(s[s.length - 1]));
  }

  private static int rank(double p, int n) {
    return Math.max(0, (int) Math.ceil(p * n) - 1);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
