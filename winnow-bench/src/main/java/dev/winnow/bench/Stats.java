package dev.winnow.bench;

import java.util.Arrays;

/** Percentiles by the nearest-rank rule, the only statistics the reports use. */
public final class Stats {

  private Stats() {}

  /** The nearest-rank {@code p}-th percentile (0 < p <= 100) of {@code sorted}. */
  public static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("p must be in (0, 100], got " + p);
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** The median of unsorted values (upper median for an even count, by nearest rank). */
  public static long median(long[] values) {
    long[] s = values.clone();
    Arrays.sort(s);
    return percentile(s, 50);
  }
}
