package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenBatchesTest {

  @Test
  void plan_everyPositionOnceAndWithinBudget() {
    Random random = new Random(42);
    int[] lengths = new int[500];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = 3 + random.nextInt(510);
    }
    List<int[]> plan = TokenBatches.plan(lengths, 4096);
    List<Integer> seen = new ArrayList<>();
    for (int[] batch : plan) {
      int longest = 0;
      for (int i : batch) {
        seen.add(i);
        longest = Math.max(longest, lengths[i]);
      }
      assertThat((long) longest * batch.length).isLessThanOrEqualTo(4096);
    }
    assertThat(seen).hasSize(lengths.length).doesNotHaveDuplicates();
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
}
