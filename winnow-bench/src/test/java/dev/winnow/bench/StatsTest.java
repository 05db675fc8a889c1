package dev.winnow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void percentile_nearestRank() {
    long[] s = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    assertThat(Stats.percentile(s, 50)).isEqualTo(50);
    assertThat(Stats.percentile(s, 95)).isEqualTo(100);
    assertThat(Stats.percentile(s, 10)).isEqualTo(10);
    assertThat(Stats.median(new long[] {3, 1, 2})).isEqualTo(2);
  }

  @Test
  void percentile_rejectsEmptyAndOutOfRange() {
    assertThatThrownBy(() -> Stats.percentile(new long[0], 50))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Stats.percentile(new long[] {1}, 0))
        .hasMessageContaining("p must be in (0, 100], got 0.0");
  }
}
