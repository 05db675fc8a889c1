package dev.winnow.onnx;

import dev.winnow.api.CrossEncoder;
import dev.winnow.testkit.CrossEncoderContract;
import dev.winnow.testkit.Shared;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@link CrossEncoderContract} on the tiny fixture (fp32: a padded batch is within 1e-5 of a
 * batch of one, the fixture README's tolerance). No NaN case: no graph at hand outputs NaN.
 */
class OnnxCrossEncoderContractTest extends CrossEncoderContract {

  private static OnnxCrossEncoder encoder;

  @BeforeAll
  static void open() {
    encoder = OnnxCrossEncoder.open(ModelFolder.open(Shared.tinyFixture()));
  }

  @AfterAll
  static void close() {
    if (encoder != null) {
      encoder.close();
    }
  }

  @Override
  protected CrossEncoder encoder() {
    return encoder;
  }

  @Override
  protected double batchTolerance() {
    return 1e-5;
  }
}
