package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReliabilityTest {

  @Test
  void expectedCalibrationError_knownCase() {
    // Bin of 0.1: confidence 0.1, accuracy 0.5, half the pairs -> 0.2; bin of 0.9: 0.9 vs 1 ->
    // 0.05.
    double[] p = {0.1, 0.1, 0.9, 0.9};
    int[] y = {0, 1, 1, 1};
    assertThat(Reliability.expectedCalibrationError(p, y, 15)).isCloseTo(0.25, within(1e-12));
    List<Reliability.Bin> bins = Reliability.bins(p, y, 15);
    assertThat(bins).hasSize(15);
    assertThat(bins.get(1).count()).isEqualTo(2);
    assertThat(bins.get(1).accuracy()).isEqualTo(0.5);
    assertThat(bins.get(13).confidence()).isCloseTo(0.9, within(1e-12));
  }

  @Test
  void expectedCalibrationError_perfectlyCalibrated_isZero_andOneLandsInTheLastBin() {
    double[] p = {0, 0, 1, 1};
    int[] y = {0, 0, 1, 1};
    assertThat(Reliability.expectedCalibrationError(p, y, 15)).isZero();
    assertThat(Reliability.bins(p, y, 15).get(14).count()).isEqualTo(2);
  }

  @Test
  void bins_badInput_isRefused() {
    assertThatThrownBy(() -> Reliability.bins(new double[] {1.2}, new int[] {1}, 15))
        .hasMessage("probabilities[0] must be in [0, 1], got 1.2");
    assertThatThrownBy(() -> Reliability.bins(new double[] {0.2}, new int[] {1}, 0))
        .hasMessage("bins must be >= 1, got 0");
  }
}
