package dev.winnow.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Everything one comparison run measured; written as JSON and Markdown by {@link Report}. */
final class Results {

  /** The fixed-length workload: one implementation, one length, {@code nanos} per batch call. */
  record Fixed(
      String variant,
      String impl,
      int length,
      int batch,
      long[] nanos,
      long[] cpuNanos,
      double maxAbsDiff,
      boolean ok,
      double load) {

    /**
     * Pairs per CPU-second (median round): what the implementation would do per core if it had its
     * cores to itself, free of the other tenants' share of the wall clock. Spinning threads count.
     */
    double pairsPerCpuSecond() {
      return batch * 1e9 / Stats.median(cpuNanos);
    }

    /** From the median round: what the ratios between implementations use. */
    double pairsPerSecond() {
      return batch * 1e9 / Stats.median(nanos);
    }

    /** From the fastest round, the one least disturbed by other load on a shared machine. */
    double bestPairsPerSecond() {
      return batch * 1e9 / java.util.Arrays.stream(nanos).min().orElseThrow();
    }
  }

  /** The realistic workload: one implementation, one top-k, {@code nanos} per query. */
  record Realistic(
      String variant,
      String impl,
      int topK,
      long[] nanos,
      long realTokens,
      long paddedTokens,
      long peakRssKb,
      double maxAbsDiff,
      boolean ok,
      double load,
      String failure) {

    /** Whether the worker died (e.g. killed for memory) before the section ended. */
    boolean failed() {
      return !failure.isEmpty();
    }

    double p50Ms() {
      long[] s = nanos.clone();
      java.util.Arrays.sort(s);
      return Stats.percentile(s, 50) / 1e6;
    }

    double p95Ms() {
      long[] s = nanos.clone();
      java.util.Arrays.sort(s);
      return Stats.percentile(s, 95) / 1e6;
    }

    double paddingWaste() {
      return (double) paddedTokens / realTokens - 1;
    }
  }

  String cpuModel = "";
  int cpus;
  int threads;
  double javaProbeGflops;
  double cProbeGflops;
  String reference = "";
  String started = "";
  String loadAtStart = "";
  String loadAtEnd = "";
  Bm25Candidates.Timing bm25;
  int queries;
  final List<Fixed> fixed = new ArrayList<>();
  final List<Realistic> realistic = new ArrayList<>();

  /**
   * CPU time of each timed realistic call (the worker process, all threads), keyed by {@link
   * #cpuKey}; less inflated by other tenants' load than wall time, so batch plans compare on it.
   */
  final Map<String, long[]> realisticCpuNanos = new HashMap<>();

  static String cpuKey(String variant, String impl, int topK) {
    return variant + "/" + impl + "/" + topK;
  }

  /** Set when the run was told the machine's peak (measured when it was idle). */
  double givenPeakGflops;

  double peakGflops() {
    return givenPeakGflops > 0 ? givenPeakGflops : Math.max(javaProbeGflops, cProbeGflops);
  }

  /** MiniLM-L6 forward cost in GFLOP per pair at 128 / 256 / 512 tokens (see docs). */
  static double gflopPerPair(int length) {
    return switch (length) {
      case 128 -> 2.87;
      case 256 -> 6.04;
      case 512 -> 13.29;
      default -> miniLmGflop(length);
    };
  }

  /**
   * MiniLM-L6 (6 layers, hidden 384, FFN 1536, 12 heads) multiply-adds x2 for one sequence of
   * {@code n} tokens: per layer QKV+output projections 4*n*h^2, FFN 2*n*h*f, attention 2*n^2*h; the
   * classification head is negligible. Matches the table values above to within 1%.
   */
  static double miniLmGflop(int n) {
    double h = 384;
    double f = 1536;
    double perLayer = 4 * n * h * h + 2 * n * h * f + 2.0 * n * n * h;
    return 2 * 6 * perLayer / 1e9;
  }
}
