package dev.winnow.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups sequences into batches within a budget of padded tokens ({@code rows x longest}); each
 * batch is later padded only to its own longest member. Two plans, both over the sequences sorted
 * by length, longest first (ties in input order), each batch a contiguous run of that order:
 *
 * <ul>
 *   <li>{@link #plan}: greedy. A batch takes the next sequences while {@code rows x longest} stays
 *       within the budget. The bi-encoder uses it: the recorded SciFact figures of its dynamically
 *       quantized model were measured with these batches, and its vectors depend on them.
 *   <li>{@link #optimal}: the cut points that minimise padded tokens plus a per-batch overhead, by
 *       dynamic programming. The cross-encoder uses it. The greedy plan fills early batches and
 *       leaves a ragged, badly padded one; the optimal plan spreads the rows.
 * </ul>
 *
 * A sequence longer than the budget gets a batch of its own in both. Public so that the benchmarks
 * can compare plans through the same code the engine runs; stateless and thread-safe.
 */
public final class TokenBatches {

  private TokenBatches() {}

  /**
   * The greedy plan, as positions into {@code lengths}; every position appears exactly once. A
   * sequence longer than the budget gets a batch of its own.
   */
  public static List<int[]> plan(int[] lengths, int tokenBudget) {
    checkBudget(tokenBudget);
    int[] order = longestFirst(lengths);
    List<int[]> batches = new ArrayList<>();
    int start = 0;
    while (start < order.length) {
      int size = mostRows(lengths[order[start]], order.length - start, tokenBudget);
      batches.add(Arrays.copyOfRange(order, start, start + size));
      start += size;
    }
    return batches;
  }

  /**
   * The plan of least {@link #cost}: over the sequences sorted longest first, the contiguous
   * batches that minimise {@code sum(rows x longest) + batchOverhead x batches} with {@code rows x
   * longest <= tokenBudget} for every batch of more than one row. Among plans of equal cost the one
   * with fewest batches wins, then the one whose earlier batches are larger, so the plan is
   * deterministic. Positions into {@code lengths}, every position exactly once.
   *
   * <p>{@code batchOverhead} is in tokens: what one more {@code session.run} costs beside its
   * padded tokens (ONNX Runtime's per-run work and smaller, less efficient GEMMs). With 0 the plan
   * minimises padding alone; with a large one it approaches the fewest batches the budget allows.
   *
   * <p>Time {@code O(n x r)} for {@code n} sequences of which at most {@code r} fit a batch.
   */
  public static List<int[]> optimal(int[] lengths, int tokenBudget, int batchOverhead) {
    checkBudget(tokenBudget);
    if (batchOverhead < 0) {
      throw new IllegalArgumentException("batchOverhead must be >= 0, got " + batchOverhead);
    }
    int[] order = longestFirst(lengths);
    int n = order.length;
    // cost[i], batches[i]: the best plan for sorted positions i..n-1; rows[i]: its first batch.
    long[] cost = new long[n + 1];
    int[] batches = new int[n + 1];
    int[] rows = new int[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      long longest = Math.max(1, lengths[order[i]]);
      int most = mostRows(lengths[order[i]], n - i, tokenBudget);
      long best = Long.MAX_VALUE;
      int bestBatches = Integer.MAX_VALUE;
      int bestRows = 0;
      // Larger first batches first: a tie keeps the larger one.
      for (int k = most; k >= 1; k--) {
        long c = k * longest + batchOverhead + cost[i + k];
        int b = 1 + batches[i + k];
        if (c < best || (c == best && b < bestBatches)) {
          best = c;
          bestBatches = b;
          bestRows = k;
        }
      }
      cost[i] = best;
      batches[i] = bestBatches;
      rows[i] = bestRows;
    }
    List<int[]> plan = new ArrayList<>(batches[0]);
    for (int start = 0; start < n; start += rows[start]) {
      plan.add(Arrays.copyOfRange(order, start, start + rows[start]));
    }
    return plan;
  }

  /** Tokens a plan feeds the model: each batch's rows times its longest member. */
  public static long paddedTokens(List<int[]> plan, int[] lengths) {
    long padded = 0;
    for (int[] batch : plan) {
      int longest = 0;
      for (int i : batch) {
        longest = Math.max(longest, lengths[i]);
      }
      padded += (long) batch.length * longest;
    }
    return padded;
  }

  /** What {@link #optimal} minimises: padded tokens plus {@code batchOverhead} per batch. */
  public static long cost(List<int[]> plan, int[] lengths, int batchOverhead) {
    return paddedTokens(plan, lengths) + (long) batchOverhead * plan.size();
  }

  private static void checkBudget(int tokenBudget) {
    if (tokenBudget < 1) {
      throw new IllegalArgumentException("tokenBudget must be >= 1, got " + tokenBudget);
    }
  }

  /** How many rows a batch led by a sequence of {@code longest} tokens may take (at least 1). */
  private static int mostRows(int longest, int left, int tokenBudget) {
    return Math.max(1, Math.min(left, tokenBudget / Math.max(1, longest)));
  }

  /** Positions sorted by length, longest first; ties keep input order (a stable sort). */
  private static int[] longestFirst(int[] lengths) {
    Integer[] boxed = new Integer[lengths.length];
    for (int i = 0; i < boxed.length; i++) {
      boxed[i] = i;
    }
    Arrays.sort(boxed, Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
    int[] order = new int[boxed.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = boxed[i];
    }
    return order;
  }
}
