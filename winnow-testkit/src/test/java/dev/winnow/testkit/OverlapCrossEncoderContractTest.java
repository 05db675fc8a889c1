package dev.winnow.testkit;

import dev.winnow.api.CrossEncoder;
import java.util.Optional;

class OverlapCrossEncoderContractTest extends CrossEncoderContract {

  private static final CrossEncoder ENCODER = new OverlapCrossEncoder();

  @Override
  protected CrossEncoder encoder() {
    return ENCODER;
  }

  @Override
  protected Optional<CrossEncoder> encoderYieldingNaN() {
    return Optional.of(OverlapCrossEncoder.yieldingNaN());
  }
}
