package dev.winnow.server;

import dev.winnow.api.CrossEncoder;

/** The real clients against the deterministic fake engine (no model files needed). */
class FakeEngineClientsIT extends RerankClientsContract {
  @Override
  CrossEncoder openEngine() {
    return new FakeCrossEncoder();
  }
}
