package dev.winnow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WinnowScorerTest {

  @Test
  void paddedTokens_equalLengthsHaveNoPadding() {
    assertThat(WinnowScorer.paddedTokens(new int[] {100, 100, 100}, 8192)).isEqualTo(300);
  }

  @Test
  void paddedTokens_batchesLongestFirstWithinTheBudget() {
    // Budget 1000: [500, 400] pads to 2 x 500; [300, 200, 100] pads to 3 x 300.
    assertThat(WinnowScorer.paddedTokens(new int[] {100, 500, 200, 400, 300}, 1000))
        .isEqualTo(1000 + 900);
  }

  @Test
  void paddedTokens_aPairLongerThanTheBudgetGoesAlone() {
    assertThat(WinnowScorer.paddedTokens(new int[] {600, 10}, 512)).isEqualTo(600 + 10);
  }
}
