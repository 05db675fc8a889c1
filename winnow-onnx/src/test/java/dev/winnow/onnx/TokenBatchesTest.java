package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenBatchesTest {

  private static final int[] OVERHEADS = {0, 32, 64, 128, 256};

  @Test
  void plan_everyPositionOnceAndWithinBudget() {
    int[] lengths = randomLengths(new Random(42), 500, 3, 512);
    assertValid(TokenBatches.plan(lengths, 4096), lengths, 4096);
  }

  @Test
  void plan_sortsLongestFirstAndCutsByBudget() {
    List<int[]> plan = TokenBatches.plan(new int[] {10, 100, 10, 100, 50}, 200);
    // 2 x 100 fills the budget; the rest (3 x 50 = 150) fits one batch padded to 50.
    assertThat(plan).hasSize(2);
    assertThat(plan.get(0)).containsExactly(1, 3);
    assertThat(plan.get(1)).containsExactly(4, 0, 2);
  }

  @Test
  void plan_sequenceOverBudget_getsItsOwnBatch() {
    List<int[]> plan = TokenBatches.plan(new int[] {300, 5}, 128);
    assertThat(plan).hasSize(2);
    assertThat(plan.get(0)).containsExactly(0);
  }

  @Test
  void optimal_everyPositionOnceAndWithinBudget() {
    Random random = new Random(7);
    for (int overhead : OVERHEADS) {
      int[] lengths = randomLengths(random, 500, 3, 512);
      assertValid(TokenBatches.optimal(lengths, 2048, overhead), lengths, 2048);
    }
  }

  @Test
  void optimal_spreadsTheRowsGreedyLeavesRagged() {
    int[] lengths = {500, 400, 400, 300, 300};
    // Greedy: [500, 400] 1000 + [400, 300] 800 + [300] 300 = 2100 padded tokens in 3 batches.
    assertThat(TokenBatches.paddedTokens(TokenBatches.plan(lengths, 1000), lengths))
        .isEqualTo(2100);
    // Optimal: [500] 500 + [400, 400] 800 + [300, 300] 600 = 1900, also 3 batches, no padding.
    List<int[]> plan = TokenBatches.optimal(lengths, 1000, 0);
    assertThat(plan).hasSize(3);
    assertThat(plan.get(0)).containsExactly(0);
    assertThat(plan.get(1)).containsExactly(1, 2);
    assertThat(plan.get(2)).containsExactly(3, 4);
    assertThat(TokenBatches.paddedTokens(plan, lengths)).isEqualTo(1900);
  }

  @Test
  void optimal_equalLengths_fullEqualBatches() {
    int[] lengths = new int[32];
    Arrays.fill(lengths, 128);
    for (int overhead : OVERHEADS) {
      List<int[]> plan = TokenBatches.optimal(lengths, 2048, overhead);
      assertThat(plan).hasSize(2);
      assertThat(plan.get(0)).hasSize(16);
      assertThat(plan.get(1)).hasSize(16);
    }
  }

  @Test
  void optimal_largeOverhead_fewestBatchesTheBudgetAllows() {
    int[] lengths = {500, 400, 400, 300, 300};
    // With a batch costing more than any padding saved, the plan takes the fewest batches (3:
    // 500 + 400 + 400 + 300 + 300 cannot fit two batches of 1000) and still no more padding.
    List<int[]> plan = TokenBatches.optimal(lengths, 1000, 10_000);
    assertThat(plan).hasSize(3);
    assertThat(TokenBatches.paddedTokens(plan, lengths)).isEqualTo(1900);
  }

  @Test
  void optimal_sequenceOverBudget_getsItsOwnBatch() {
    List<int[]> plan = TokenBatches.optimal(new int[] {5, 300, 5}, 128, 0);
    assertThat(plan).hasSize(2);
    assertThat(plan.get(0)).containsExactly(1);
    assertThat(plan.get(1)).containsExactly(0, 2);
  }

  @Test
  void optimal_emptyInput_emptyPlan() {
    assertThat(TokenBatches.optimal(new int[0], 2048, 64)).isEmpty();
  }

  @Test
  void optimal_neverCostsMoreThanGreedy() {
    Random random = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      int[] lengths = randomLengths(random, 1 + random.nextInt(120), 5, 512);
      int budget = 512 + random.nextInt(4096);
      int overhead = OVERHEADS[trial % OVERHEADS.length];
      List<int[]> greedy = TokenBatches.plan(lengths, budget);
      List<int[]> optimal = TokenBatches.optimal(lengths, budget, overhead);
      assertValid(optimal, lengths, budget);
      assertThat(TokenBatches.cost(optimal, lengths, overhead))
          .as("trial %d", trial)
          .isLessThanOrEqualTo(TokenBatches.cost(greedy, lengths, overhead));
    }
  }

  @Test
  void optimal_matchesBruteForceOverAllCutPoints() {
    assertOptimalCosts(13, 12, TokenBatchesTest::bruteForceContiguous);
  }

  @Test
  void optimal_matchesBruteForceOverAllPartitions() {
    // Contiguous runs of the sorted order lose nothing against arbitrary groupings.
    assertOptimalCosts(17, 8, TokenBatchesTest::bruteForcePartitions);
  }

  /** The least cost of a plan for lengths, budget and overhead, found by exhaustive search. */
  @FunctionalInterface
  private interface BruteForce {
    long best(int[] lengths, int budget, int overhead);
  }

  /** 300 seeded cases of up to {@code maxN} sequences: the optimal plan costs what search finds. */
  private static void assertOptimalCosts(long seed, int maxN, BruteForce search) {
    Random random = new Random(seed);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + random.nextInt(maxN);
      int[] lengths = randomLengths(random, n, 1, 64);
      int budget = 32 + random.nextInt(256);
      int overhead = random.nextInt(80);
      long best = search.best(lengths, budget, overhead);
      assertThat(
              TokenBatches.cost(TokenBatches.optimal(lengths, budget, overhead), lengths, overhead))
          .as(
              "trial %d: %s, budget %d, overhead %d",
              trial, Arrays.toString(lengths), budget, overhead)
          .isEqualTo(best);
    }
  }

  @Test
  void optimal_sameInputSamePlan() {
    int[] lengths = randomLengths(new Random(19), 300, 5, 512);
    // Many ties: lengths repeat, so only the tie rules make the plan unique.
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = 64 * (1 + lengths[i] / 64);
    }
    List<int[]> a = TokenBatches.optimal(lengths, 2048, 64);
    List<int[]> b = TokenBatches.optimal(lengths.clone(), 2048, 64);
    assertThat(b).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i)).containsExactly(a.get(i));
    }
  }

  @Test
  void optimal_badArguments_areRefused() {
    assertThatThrownBy(() -> TokenBatches.optimal(new int[] {1}, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tokenBudget must be >= 1, got 0");
    assertThatThrownBy(() -> TokenBatches.optimal(new int[] {1}, 2048, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batchOverhead must be >= 0, got -1");
  }

  private static int[] randomLengths(Random random, int n, int min, int max) {
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = min + random.nextInt(max - min + 1);
    }
    return lengths;
  }

  private static void assertValid(List<int[]> plan, int[] lengths, int budget) {
    List<Integer> seen = new ArrayList<>();
    for (int[] batch : plan) {
      assertThat(batch).isNotEmpty();
      int longest = 0;
      for (int i : batch) {
        seen.add(i);
        longest = Math.max(longest, lengths[i]);
      }
      if (batch.length > 1) {
        assertThat((long) longest * batch.length).isLessThanOrEqualTo(budget);
      }
    }
    assertThat(seen).hasSize(lengths.length).doesNotHaveDuplicates();
  }

  private static boolean fits(int rows, int longest, int budget) {
    return rows == 1 || (long) rows * longest <= budget;
  }

  /** Every way to cut the longest-first order into runs (2^(n-1) of them). */
  private static long bruteForceContiguous(int[] lengths, int budget, int overhead) {
    int[] sorted =
        Arrays.stream(lengths).boxed().sorted((x, y) -> y - x).mapToInt(i -> i).toArray();
    int n = sorted.length;
    long best = Long.MAX_VALUE;
    for (int cuts = 0; cuts < 1 << (n - 1); cuts++) {
      long cost = 0;
      boolean ok = true;
      int start = 0;
      for (int end = 1; end <= n && ok; end++) {
        if (end == n || (cuts & 1 << (end - 1)) != 0) {
          ok = fits(end - start, sorted[start], budget);
          cost += (long) (end - start) * sorted[start] + overhead;
          start = end;
        }
      }
      if (ok) {
        best = Math.min(best, cost);
      }
    }
    return best;
  }

  /** Every set partition (restricted growth strings), sorted or not. */
  private static long bruteForcePartitions(int[] lengths, int budget, int overhead) {
    return partitions(lengths, budget, overhead, new int[lengths.length], 0, 0);
  }

  private static long partitions(
      int[] lengths, int budget, int overhead, int[] group, int next, int groups) {
    if (next == lengths.length) {
      long cost = 0;
      for (int g = 0; g < groups; g++) {
        int rows = 0;
        int longest = 0;
        for (int i = 0; i < lengths.length; i++) {
          if (group[i] == g) {
            rows++;
            longest = Math.max(longest, lengths[i]);
          }
        }
        if (!fits(rows, longest, budget)) {
          return Long.MAX_VALUE;
        }
        cost += (long) rows * longest + overhead;
      }
      return cost;
    }
    long best = Long.MAX_VALUE;
    for (int g = 0; g <= groups; g++) {
      group[next] = g;
      best =
          Math.min(
              best,
              partitions(lengths, budget, overhead, group, next + 1, Math.max(groups, g + 1)));
    }
    return best;
  }
}
