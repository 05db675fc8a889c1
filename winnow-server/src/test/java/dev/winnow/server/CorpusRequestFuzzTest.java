package dev.winnow.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.index.WinnowIndex;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the ingestion and search bodies over an in-memory index: every input is either answered or
 * refused with an {@link ApiError} of a 4xx status; anything else is a finding (a 500). The seed
 * corpus under {@code CorpusRequestFuzzTestInputs/} replays in every build.
 */
class CorpusRequestFuzzTest {

  private static final JsonLimits JSON =
      new JsonLimits(ServerConfig.DEFAULT_MAX_BODY_BYTES, ServerConfig.DEFAULT_MAX_DOCUMENTS);
  private static final WinnowIndex INDEX = WinnowIndex.inMemory();
  private static final CorpusRoutes CORPUS =
      new CorpusRoutes(INDEX, new FakeCrossEncoder(), 50, 1 << 20);

  @AfterAll
  static void close() {
    INDEX.close();
  }

  @FuzzTest(maxDuration = "30s")
  void corpusRequest(byte[] body) {
    JsonNode tree;
    try {
      tree = JSON.parse(RequestBody.of(body));
    } catch (ApiError e) {
      RequestFuzzTest.clientError(e);
      return;
    }
    try {
      CORPUS.add(tree);
    } catch (ApiError e) {
      RequestFuzzTest.clientError(e);
    }
    try {
      CORPUS.search(tree);
    } catch (ApiError e) {
      RequestFuzzTest.clientError(e);
    }
  }
}
