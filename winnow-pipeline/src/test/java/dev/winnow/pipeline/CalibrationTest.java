package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.pipeline.Calibration.Isotonic;
import dev.winnow.pipeline.Calibration.Method;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationTest {

  @TempDir Path tmp;

  @Test
  void fitIsotonic_poolsTheViolatorsByHand() {
    // Sorted labels 0, 1, 0, 1: the middle pair violates and pools to 0.5.
    Isotonic iso = Calibration.fitIsotonic(new double[] {3, 1, 4, 2}, new int[] {0, 0, 1, 1});
    assertThat(iso.x()).containsExactly(1, 2, 3, 4);
    assertThat(iso.y()).containsExactly(0, 0.5, 0.5, 1);
    assertThat(iso.apply(0)).isEqualTo(0);
    assertThat(iso.apply(1.5)).isEqualTo(0.25);
    assertThat(iso.apply(2.5)).isEqualTo(0.5);
    assertThat(iso.apply(3.5)).isEqualTo(0.75);
    assertThat(iso.apply(9)).isEqualTo(1);
  }

  @Test
  void fitIsotonic_equalLogitsPoolFirst_andAChainOfViolatorsMerges() {
    // x: 1, 1, 2, 3 with labels 1, 0, 1, 0 -> the tie pools to 0.5; then 1 and 0 violate and pool
    // to 0.5, equal to the block before it, so the two merge: one block over [1, 3].
    Isotonic iso = Calibration.fitIsotonic(new double[] {1, 1, 2, 3}, new int[] {1, 0, 1, 0});
    assertThat(iso.x()).containsExactly(1, 3);
    assertThat(iso.y()).containsExactly(0.5, 0.5);
    // 0 0 1 | 0 1 1: blocks {0,0} {1,0 -> .5} {1,1}
    Isotonic two =
        Calibration.fitIsotonic(new double[] {1, 2, 3, 4, 5, 6}, new int[] {0, 0, 1, 0, 1, 1});
    assertThat(two.x()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(two.y()).containsExactly(0, 0, 0.5, 0.5, 1, 1);
  }

  @Test
  void fitPlatt_symmetricPair_isLn2ByHand() {
    // Targets 2/3 at logit 1 and 1/3 at -1: sigmoid(a + b) = 2/3, sigmoid(-a + b) = 1/3, so b = 0
    // and a = ln 2.
    Calibration.Platt p = Calibration.fitPlatt(new double[] {-1, 1}, new int[] {0, 1});
    assertThat(p.a()).isCloseTo(Math.log(2), within(1e-6));
    assertThat(p.b()).isCloseTo(0, within(1e-6));
    assertThat(p.apply(1)).isCloseTo(2.0 / 3, within(1e-6));
  }

  @Test
  void fitPlatt_constantLogit_learnsTheSmoothedBaseRate() {
    // All logits 0: only b matters, and p is the mean target, (2/3 + 3 * 1/5) / 4 (Platt's
    // targets for 1 positive and 3 negatives).
    Calibration.Platt p = Calibration.fitPlatt(new double[] {0, 0, 0, 0}, new int[] {1, 0, 0, 0});
    double mean = (2.0 / 3 + 3 * 0.2) / 4;
    assertThat(p.apply(0)).isCloseTo(mean, within(1e-5));
  }

  @Test
  void fitPlatt_separableData_staysFinite() {
    Calibration c =
        Calibration.fit(new double[] {-3, -2, -1, 1, 2, 3}, new int[] {0, 0, 0, 1, 1, 1});
    assertThat(c.platt().a()).isPositive().isFinite();
    assertThat(c.apply(Method.PLATT, 3)).isGreaterThan(0.5).isLessThan(1);
    assertThat(c.apply(Method.ISOTONIC, 3)).isEqualTo(1);
    assertThat(c.pairs()).isEqualTo(6);
    assertThat(c.positives()).isEqualTo(3);
  }

  @Test
  void writeThenRead_roundTripsExactly() {
    Calibration c =
        Calibration.fit(
            new double[] {-2.5, -1.25, 0.1, 0.7, 1.9, 3.3, 0.1},
            new int[] {0, 1, 0, 1, 1, 1, 0},
            "toy pairs");
    Path f = tmp.resolve("m").resolve(Calibration.FILE_NAME);
    c.write(f);
    Calibration back = Calibration.read(f);
    assertThat(back).isEqualTo(c);
    assertThat(back.withMethod(Method.PLATT).read(f)).isEqualTo(c);
    for (double x = -4; x <= 4; x += 0.37) {
      assertThat(back.apply(x)).isEqualTo(c.apply(x));
    }
  }

  @Test
  void read_badFiles_areRefusedNamingTheFileAndTheField() throws IOException {
    Path f = tmp.resolve(Calibration.FILE_NAME);
    String good =
        "{\"method\": \"isotonic\", \"platt\": {\"a\": 1.5, \"b\": -0.5},"
            + " \"isotonic\": {\"x\": [-1, 0, 2], \"y\": [0.1, 0.4, 0.9]}}";
    Files.writeString(f, good);
    assertThat(Calibration.read(f).apply(1)).isCloseTo(0.65, within(1e-12));

    Files.writeString(f, good.replace("[0.1, 0.4, 0.9]", "[0.1, 0.4, 0.3]"));
    assertThatThrownBy(() -> Calibration.read(f))
        .hasMessage(
            "calibration file "
                + f
                + " is refused: isotonic.y must be non-decreasing, but y[2] = 0.3 follows 0.4");
    Files.writeString(f, good.replace("[-1, 0, 2]", "[-1, 2, 0]"));
    assertThatThrownBy(() -> Calibration.read(f))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("isotonic.x must be strictly increasing, but x[2] = 0.0 follows 2.0");
    Files.writeString(f, good.replace("\"a\": 1.5", "\"a\": NaN"));
    assertThatThrownBy(() -> Calibration.read(f))
        .hasMessage(
            "calibration file " + f + " is refused: platt.a must be a finite number, got NaN");
    Files.writeString(f, good.replace("[-1, 0, 2]", "[-1, NaN, 2]"));
    assertThatThrownBy(() -> Calibration.read(f))
        .hasMessageContaining("isotonic.x[1] must be a finite number, got NaN");
    Files.writeString(f, good.replace("[0.1, 0.4, 0.9]", "[0.1, 0.4, 1.5]"));
    assertThatThrownBy(() -> Calibration.read(f))
        .hasMessageContaining("isotonic.y[2] must be a probability in [0, 1], got 1.5");
    Files.writeString(f, good.replace("isotonic\", \"platt", "sigmoid\", \"platt"));
    assertThatThrownBy(() -> Calibration.read(f))
        .hasMessageContaining("calibration method must be one of platt, isotonic; got 'sigmoid'");
    Files.writeString(f, "{\"method\": ");
    assertThatThrownBy(() -> Calibration.read(f))
        .hasMessageStartingWith("calibration file " + f + " is not valid JSON");
    assertThatThrownBy(() -> Calibration.read(tmp.resolve("none.json")))
        .hasMessageStartingWith("no calibration at " + tmp.resolve("none.json"));
  }

  @Test
  void fit_badInput_isRefused() {
    assertThatThrownBy(() -> Calibration.fit(new double[] {1, 2}, new int[] {1, 1}))
        .hasMessageContaining("needs relevant and non-relevant pairs, got 2 pairs, all relevant");
    assertThatThrownBy(() -> Calibration.fit(new double[] {1, Double.NaN}, new int[] {1, 0}))
        .hasMessage("logits[1] must be a finite number, got NaN");
    assertThatThrownBy(() -> Calibration.fit(new double[] {1, 2}, new int[] {1, 2}))
        .hasMessage("labels[1] must be 0 or 1, got 2");
  }
}
