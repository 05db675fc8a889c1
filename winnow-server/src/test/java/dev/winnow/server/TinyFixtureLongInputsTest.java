package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.api.Activation;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.onnx.PairTokenizer;
import dev.winnow.onnx.TokenizedPair;
import dev.winnow.testkit.Shared;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Long inputs through the server with the real engine and tokenizer ({@code tiny-ce-fixture}, 512
 * tokens, {@code [CLS] q [SEP] d [SEP]}): token counts in TEI's {@code truncate: false} refusal,
 * and Cohere chunk scores, are checked against the engine called directly.
 */
class TinyFixtureLongInputsTest {

  static final String QUERY = "how do plants turn sunlight into energy";
  static final String SENTENCE =
      "Photosynthesis converts light energy into chemical energy stored in glucose. ";

  private static OnnxCrossEncoder engine;
  private static WinnowServer server;
  private static String url;

  @BeforeAll
  static void start() {
    engine =
        OnnxCrossEncoder.open(
            ModelFolder.open(Shared.tinyFixture()),
            OnnxCrossEncoder.Options.defaults().withThreads(1));
    server = new WinnowServer(engine, ServerConfig.DEFAULTS.withPort(0)).start();
    url = server.baseUrl();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  private static int pairTokens(String text) {
    PairTokenizer t = engine.tokenizer();
    return t.tokenize(QUERY).length + t.tokenize(text).length + t.pairSpecialTokens();
  }

  @Test
  void tei_truncateFalse_countsTokensWithTheModelsTokenizer() {
    String longText = SENTENCE.repeat(40);
    int tokens = pairTokens(longText);
    assertThat(tokens).isGreaterThan(512);
    List<String> texts = List.of("Leaves are green.", longText);
    String body =
        "{\"query\":"
            + LongInputsTest.json(QUERY)
            + ",\"texts\":["
            + LongInputsTest.json(texts.get(0))
            + ","
            + LongInputsTest.json(texts.get(1))
            + "]";

    Http.Reply refused = Http.post(url + "/rerank", body + ",\"truncate\":false}");
    assertThat(refused.status()).as(refused.body()).isEqualTo(422);
    assertThat(refused.json().get("error_type").asText()).isEqualTo("validation");
    assertThat(refused.json().get("error").asText())
        .contains("texts[1]")
        .contains(tokens + " tokens")
        .contains("maximum of 512");

    List<PairScore> want =
        engine.score(QUERY, texts, ScoringOptions.DEFAULTS.withActivation(Activation.SIGMOID));
    for (String extra : List.of("}", ",\"truncate\":true}")) {
      Http.Reply ok = Http.post(url + "/rerank", body + extra);
      assertThat(ok.status()).as(ok.body()).isEqualTo(200);
      for (JsonNode r : ok.json()) {
        assertThat(r.get("score").asDouble())
            .isCloseTo(want.get(r.get("index").asInt()).score(), within(1e-6));
      }
    }
  }

  @Test
  void cohere_longDocument_scoresAsTheBestOfItsChunks() {
    String longDoc = SENTENCE.repeat(60) + "The stock market fell sharply on Tuesday. ".repeat(40);
    PairTokenizer t = engine.tokenizer();
    int[] q = t.tokenize(QUERY);
    int[] d = t.tokenize(longDoc);
    int width = 512 - t.pairSpecialTokens() - q.length;
    assertThat(d.length).isGreaterThan(2 * width);
    // Non-overlapping chunks of `width` tokens, the last one ending at the document's end.
    List<TokenizedPair> chunks = new ArrayList<>();
    for (int start = 0; ; start += width) {
      if (start + width >= d.length) {
        chunks.add(new TokenizedPair(q, Arrays.copyOfRange(d, d.length - width, d.length)));
        break;
      }
      chunks.add(new TokenizedPair(q, Arrays.copyOfRange(d, start, start + width)));
    }
    double best = Double.NEGATIVE_INFINITY;
    for (PairScore s : engine.scoreTokenized(chunks, ScoringOptions.DEFAULTS)) {
      best = Math.max(best, s.logit());
    }
    String docs = "[" + LongInputsTest.json(longDoc) + ",\"Leaves are green.\"]";
    String body = "{\"query\":" + LongInputsTest.json(QUERY) + ",\"documents\":" + docs;

    Http.Reply chunked = Http.post(url + "/v2/rerank", body + "}");
    assertThat(chunked.status()).as(chunked.body()).isEqualTo(200);
    assertThat(LongInputsTest.scoreOf(chunked.json(), 0))
        .isCloseTo(LongInputsTest.sigmoid(best), within(1e-6));
    assertThat(chunked.json().at("/meta/tokens/input_tokens").asLong())
        .isEqualTo(512L * chunks.size() + pairTokens("Leaves are green."));

    // One chunk is the engine's own truncation of the pair (the query is short).
    double truncated = engine.score(QUERY, List.of(longDoc)).get(0).score();
    Http.Reply one = Http.post(url + "/v1/rerank", body + ",\"max_chunks_per_doc\":1}");
    assertThat(one.status()).as(one.body()).isEqualTo(200);
    assertThat(LongInputsTest.scoreOf(one.json(), 0)).isCloseTo(truncated, within(1e-6));
  }

  @Test
  void cohere_queryTheTokenizerDropsEntirely_isRefusedNamingTheQuery() {
    // a control character and a combining accent: BERT's normalizer removes both
    assertThat(engine.tokenizer().tokenize("\u0007\u0301")).isEmpty();
    Http.Reply r =
        Http.post(url + "/v2/rerank", "{\"query\":\"\\u0007\\u0301\",\"documents\":[\"a\"]}");
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.json().get("message").asText()).startsWith("query has no tokens");
  }
}
