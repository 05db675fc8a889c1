package dev.winnow.server;

import dev.winnow.api.CrossEncoder;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.testkit.Shared;

/** The real clients against the ONNX engine on {@code ../shared/models/tiny-ce-fixture}. */
class TinyFixtureClientsIT extends RerankClientsContract {
  @Override
  CrossEncoder openEngine() {
    return OnnxCrossEncoder.open(
        ModelFolder.open(Shared.tinyFixture()), OnnxCrossEncoder.Options.defaults().withThreads(1));
  }
}
