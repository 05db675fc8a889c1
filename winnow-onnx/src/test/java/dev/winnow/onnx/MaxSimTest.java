package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.TokenMatch;
import dev.winnow.api.TokenVectors;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both MaxSim kernels against a plain double-precision loop, over awkward shapes. */
class MaxSimTest {

  private static TokenVectors random(Random r, int tokens, int dim) {
    float[] v = new float[tokens * dim];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return new TokenVectors(v, dim, Collections.nCopies(tokens, "t"));
  }

  private static double[] naiveMaxima(TokenVectors q, TokenVectors d) {
    int dim = q.dimension();
    double[] out = new double[q.count()];
    for (int i = 0; i < q.count(); i++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int t = 0; t < d.count(); t++) {
        double s = 0;
        for (int j = 0; j < dim; j++) {
          s += (double) q.values()[i * dim + j] * d.values()[t * dim + j];
        }
        best = Math.max(best, s);
      }
      out[i] = best;
    }
    return out;
  }

  @Test
  void kernels_matchANaiveLoop_overAwkwardShapes() {
    Random r = new Random(12);
    int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {4, 16, 8}, {32, 300, 128}, {33, 65, 96}, {7, 17, 3}};
    for (int[] s : shapes) {
      TokenVectors q = random(r, s[0], s[2]);
      TokenVectors d = random(r, s[1], s[2]);
      MaxSim.Document doc = MaxSim.prepare(d);
      assertThat(doc.padded() % MaxSim.ALIGN).isZero();
      double[] expected = naiveMaxima(q, d);
      for (MaxSim.Kernel k : MaxSim.Kernel.values()) {
        float[] got = MaxSim.maxima(q, doc, k);
        double sum = 0;
        for (int i = 0; i < expected.length; i++) {
          assertThat((double) got[i])
              .as("%s shape %d x %d x %d, query token %d", k, s[0], s[1], s[2], i)
              .isCloseTo(expected[i], within(1e-4 * Math.sqrt(s[2])));
          sum += expected[i];
        }
        assertThat(MaxSim.score(q, doc, k)).isCloseTo(sum, within(1e-3 * s[0]));
      }
    }
  }

  @Test
  void matches_pointAtTheMaximum_andSumToTheScore() {
    Random r = new Random(3);
    TokenVectors q = random(r, 9, 16);
    TokenVectors d = random(r, 21, 16);
    MaxSim.Document doc = MaxSim.prepare(d);
    List<TokenMatch> matches = MaxSim.matches(q, d, doc);
    double[] expected = naiveMaxima(q, d);
    assertThat(matches).hasSize(9);
    double sum = 0;
    for (TokenMatch m : matches) {
      double s = 0;
      for (int j = 0; j < 16; j++) {
        s += (double) q.values()[m.queryToken() * 16 + j] * d.values()[m.documentToken() * 16 + j];
      }
      assertThat(s).isCloseTo(expected[m.queryToken()], within(1e-4));
      assertThat(m.similarity()).isCloseTo(s, within(1e-4));
      sum += m.similarity();
    }
    assertThat(sum).isCloseTo(MaxSim.score(q, doc), within(1e-4));
  }

  @Test
  void emptyDocument_scoresZero_andDimensionsMustAgree() {
    TokenVectors q = random(new Random(1), 4, 8);
    MaxSim.Document empty = MaxSim.prepare(new TokenVectors(new float[0], 8, List.of()));
    for (MaxSim.Kernel k : MaxSim.Kernel.values()) {
      assertThat(MaxSim.score(q, empty, k)).isZero();
    }
    MaxSim.Document other = MaxSim.prepare(random(new Random(2), 3, 16));
    assertThatThrownBy(() -> MaxSim.score(q, other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("query vectors have 8 dimensions, document vectors 16");
  }
}
