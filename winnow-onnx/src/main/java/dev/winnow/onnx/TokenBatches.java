package dev.winnow.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups sequences into batches by a budget of padded tokens: sequences are sorted by length,
 * longest first, and a batch takes the next sequences while {@code size x longest} stays within the
 * budget. Each batch is later padded only to its own longest member, so similar lengths share a
 * batch and little compute is spent on padding.
 */
final class TokenBatches {

  private TokenBatches() {}

  /**
   * The batches, as positions into {@code lengths}; every position appears exactly once. A sequence
   * longer than the budget gets a batch of its own.
   */
  static List<int[]> plan(int[] lengths, int tokenBudget) {
    if (tokenBudget < 1) {
      throw new IllegalArgumentException("tokenBudget must be >= 1, got " + tokenBudget);
    }
    Integer[] order = new Integer[lengths.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // Longest first; ties keep input order, so the plan is deterministic.
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
    List<int[]> batches = new ArrayList<>();
    int start = 0;
    while (start < order.length) {
      int longest = Math.max(1, lengths[order[start]]);
      int size = Math.max(1, Math.min(order.length - start, tokenBudget / longest));
      int[] batch = new int[size];
      for (int k = 0; k < size; k++) {
        batch[k] = order[start + k];
      }
      batches.add(batch);
      start += size;
    }
    return batches;
  }
}
