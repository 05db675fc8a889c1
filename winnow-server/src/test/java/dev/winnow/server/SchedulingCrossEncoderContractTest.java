package dev.winnow.server;

import dev.winnow.api.CrossEncoder;
import dev.winnow.testkit.CrossEncoderContract;
import dev.winnow.testkit.OverlapCrossEncoder;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;

/**
 * The {@link CrossEncoderContract} through the server's scheduler: batches shared with other
 * requests must not change a score, and a model's NaN stays an {@link IllegalStateException}.
 */
class SchedulingCrossEncoderContractTest extends CrossEncoderContract {

  private static final PairScheduler SCHEDULER = scheduler(new OverlapCrossEncoder());
  private static final PairScheduler NAN_SCHEDULER = scheduler(OverlapCrossEncoder.yieldingNaN());

  private static PairScheduler scheduler(CrossEncoder model) {
    return new PairScheduler(
        model, ServerConfig.DEFAULTS, new ServerMetrics(), PairScheduler.PairCost.CHARACTERS);
  }

  @AfterAll
  static void close() {
    SCHEDULER.close();
    NAN_SCHEDULER.close();
  }

  @Override
  protected CrossEncoder encoder() {
    return new SchedulingCrossEncoder(new OverlapCrossEncoder(), SCHEDULER, Duration.ofSeconds(10));
  }

  @Override
  protected Optional<CrossEncoder> encoderYieldingNaN() {
    return Optional.of(
        new SchedulingCrossEncoder(
            OverlapCrossEncoder.yieldingNaN(), NAN_SCHEDULER, Duration.ofSeconds(10)));
  }
}
