package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Fuzzes request parsing: the body reader (strict UTF-8, JSON limits) and every rerank dialect's
 * validation (Cohere v2, Cohere v1/Jina, TEI). Every input either parses or fails with an {@link
 * ApiError} of a 4xx status; any other exception is a finding (it would be a 500). The seed corpus
 * under {@code RequestFuzzTestInputs/} replays in every build.
 */
class RequestFuzzTest {

  private static final int MAX_DOCUMENTS = 50;
  private static final JsonLimits JSON =
      new JsonLimits(ServerConfig.DEFAULT_MAX_BODY_BYTES, ServerConfig.DEFAULT_MAX_DOCUMENTS);
  private static final FakeCrossEncoder MODEL = new FakeCrossEncoder();

  static void clientError(ApiError e) {
    assertThat(e.status()).as(e.getMessage()).isBetween(400, 499);
    assertThat(e.getMessage()).isNotBlank();
  }

  @FuzzTest(maxDuration = "30s")
  void rerankRequest(byte[] body) {
    JsonNode tree;
    try {
      tree = JSON.parse(RequestBody.of(body));
    } catch (ApiError e) {
      clientError(e);
      return;
    }
    for (Dialect d : Dialect.values()) {
      try {
        RerankCall call = d.parse(tree, MODEL, MAX_DOCUMENTS);
        assertThat(call.texts()).isNotEmpty().hasSizeLessThanOrEqualTo(MAX_DOCUMENTS);
        call.topN().ifPresent(n -> assertThat(n).isPositive());
      } catch (ApiError e) {
        clientError(e);
      }
    }
  }
}
