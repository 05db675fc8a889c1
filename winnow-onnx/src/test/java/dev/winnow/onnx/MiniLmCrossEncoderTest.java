package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.testkit.Shared;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The engine against minilm-l6-ce-fixture (real all-MiniLM-L6-v2 encoder): fp32 to 1e-5 of the
 * PyTorch goldens, int8 within the README's 0.03 with its rank agreement printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MiniLmCrossEncoderTest {

  private Path root;
  private List<Goldens.Case> cases;
  private OnnxCrossEncoder fp32;

  @BeforeAll
  void load() {
    root = Shared.miniLmFixture();
    cases = Goldens.cases(root);
    fp32 = OnnxCrossEncoder.open(ModelFolder.open(root));
  }

  @AfterAll
  void close() {
    if (fp32 != null) {
      fp32.close();
    }
  }

  @Test
  void fp32_everyGolden_within1e5() {
    double[] logits = scoreGoldens(fp32);
    double worst = 0;
    double worstSigmoid = 0;
    for (int i = 0; i < cases.size(); i++) {
      Goldens.Case c = cases.get(i);
      assertThat(logits[i]).as(c.id()).isCloseTo(c.logit(), within(1e-5));
      worst = Math.max(worst, Math.abs(logits[i] - c.logit()));
      double sigmoid = fp32.defaultActivation().apply(logits[i]);
      assertThat(sigmoid).as(c.id()).isCloseTo(c.sigmoid(), within(1e-6));
      worstSigmoid = Math.max(worstSigmoid, Math.abs(sigmoid - c.sigmoid()));
    }
    System.out.printf(
        "minilm-l6-ce-fixture fp32: max |logit - golden| = %.3g, max |sigmoid - golden| = %.3g"
            + " over %d goldens%n",
        worst, worstSigmoid, cases.size());
  }

  @Test
  void fp32_goldenBatch_paddedBatchEqualsSingles() {
    Goldens.Batch batch = Goldens.batch(root);
    List<PairEncoding> rows = new ArrayList<>();
    for (String id : batch.ids()) {
      Goldens.Case c = cases.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
      rows.add(new PairEncoding(c.inputIds(), c.tokenTypeIds(), c.queryKept(), c.documentKept()));
    }
    double[] together = fp32.run(rows);
    double worst = 0;
    for (int i = 0; i < rows.size(); i++) {
      double alone = fp32.run(List.of(rows.get(i)))[0];
      assertThat(together[i]).as(batch.ids().get(i)).isCloseTo(alone, within(1e-5));
      assertThat(together[i]).isCloseTo(batch.logitsBatch()[i], within(1e-5));
      worst = Math.max(worst, Math.abs(together[i] - alone));
    }
    System.out.printf("minilm-l6-ce-fixture fp32: batch vs alone max |diff| = %.3g%n", worst);
  }

  @Test
  void qint8_everyGolden_within003OfFp32AndRankAgreement() {
    double[] q;
    try (OnnxCrossEncoder qint8 = OnnxCrossEncoder.open(ModelFolder.open(root, "qint8"))) {
      q = scoreGoldens(qint8);
    }
    double[] golden = cases.stream().mapToDouble(Goldens.Case::logit).toArray();
    double worst = 0;
    for (int i = 0; i < cases.size(); i++) {
      assertThat(q[i]).as(cases.get(i).id()).isCloseTo(golden[i], within(0.03));
      worst = Math.max(worst, Math.abs(q[i] - golden[i]));
    }
    double rho = Goldens.spearman(q, golden);
    System.out.printf(
        "minilm-l6-ce-fixture qint8: max |logit - fp32 golden| = %.4f, Spearman = %.4f over %d"
            + " goldens%n",
        worst, rho, cases.size());
    assertThat(rho).isGreaterThanOrEqualTo(0.9);
  }

  /** Each golden scored alone (batch of one), at its own max_length. */
  private double[] scoreGoldens(OnnxCrossEncoder encoder) {
    double[] out = new double[cases.size()];
    for (int i = 0; i < cases.size(); i++) {
      Goldens.Case c = cases.get(i);
      PairScore s =
          encoder
              .scorePairs(
                  List.of(new TextPair(c.query(), c.document())),
                  ScoringOptions.DEFAULTS.withMaxLength(c.maxLength()))
              .get(0);
      out[i] = s.logit();
    }
    return out;
  }
}
