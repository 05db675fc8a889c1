package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.api.Activation;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Long documents over HTTP with the fake engine, whose tokens are words: Cohere chunking ({@code
 * max_tokens_per_doc}, {@code max_chunks_per_doc}, best chunk wins, chunks counted by the queue
 * bound, the batch budget and the search units) and TEI's {@code truncate}.
 *
 * <p>The fake reads 512 tokens with 3 specials; the query {@value #QUERY} is 3 tokens, so a chunk
 * holds 506 document tokens.
 */
class LongInputsTest {

  static final String QUERY = "cats eat fish";
  static final int WIDTH = 512 - 3 - 3;

  private final FakeCrossEncoder fake = new FakeCrossEncoder();
  private WinnowServer server;

  @AfterEach
  void stop() {
    fake.release();
    if (server != null) {
      server.shutdown(Duration.ofSeconds(2));
    }
  }

  private String start(CrossEncoder engine, ServerConfig config) {
    server = new WinnowServer(engine, config.withPort(0)).start();
    return server.baseUrl();
  }

  private String start(ServerConfig config) {
    return start(fake, config);
  }

  /** {@code n} distinct words none of which is a query word. */
  static List<String> filler(int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add("w" + i);
    }
    return out;
  }

  static String json(String s) {
    return Http.JSON.getNodeFactory().textNode(s).toString();
  }

  static String request(String docsField, List<String> docs, String extra) {
    StringBuilder sb = new StringBuilder("{\"query\":").append(json(QUERY));
    sb.append(",\"").append(docsField).append("\":[");
    for (int i = 0; i < docs.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(json(docs.get(i)));
    }
    return sb.append(']').append(extra).append('}').toString();
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Result {@code index}'s score in a Cohere body. */
  static double scoreOf(JsonNode body, int index) {
    for (JsonNode r : body.get("results")) {
      if (r.get("index").asInt() == index) {
        return r.get("relevance_score").asDouble();
      }
    }
    throw new AssertionError("no result for index " + index + " in " + body);
  }

  @Test
  void cohere_longDocument_isRankedByItsBestChunk_butNotWithOneChunk() {
    String url = start(ServerConfig.DEFAULTS);
    List<String> words = new ArrayList<>(filler(700));
    words.addAll(List.of("cats", "eat", "fish")); // 703 tokens: the query words end the document
    String late = String.join(" ", words);
    String early = "cats and dogs"; // one query word, in the first (only) chunk
    List<String> docs = List.of(late, early);

    Http.Reply chunked = Http.post(url + "/v2/rerank", request("documents", docs, ""));
    assertThat(chunked.status()).as(chunked.body()).isEqualTo(200);
    JsonNode body = chunked.json();
    assertThat(body.at("/results/0/index").asInt()).isEqualTo(0);
    // two chunks, [0, 506) and [197, 703) (the last ends at the document's end); the second wins
    String best = String.join(" ", words.subList(703 - WIDTH, 703));
    assertThat(scoreOf(body, 0)).isEqualTo(sigmoid(FakeCrossEncoder.logit(QUERY, best)));
    assertThat(scoreOf(body, 1)).isEqualTo(sigmoid(FakeCrossEncoder.logit(QUERY, early)));
    assertThat(fake.tokenizedPairs.get()).isEqualTo(3);

    Http.Reply oneChunk =
        Http.post(url + "/v1/rerank", request("documents", docs, ",\"max_chunks_per_doc\":1"));
    assertThat(oneChunk.status()).as(oneChunk.body()).isEqualTo(200);
    assertThat(oneChunk.json().at("/results/0/index").asInt()).isEqualTo(1);
    String first = String.join(" ", words.subList(0, WIDTH)) + " ";
    assertThat(scoreOf(oneChunk.json(), 0))
        .isEqualTo(sigmoid(FakeCrossEncoder.logit(QUERY, first)));

    Http.Reply cut =
        Http.post(url + "/v2/rerank", request("documents", docs, ",\"max_tokens_per_doc\":300"));
    assertThat(cut.status()).as(cut.body()).isEqualTo(200);
    assertThat(cut.json().at("/results/0/index").asInt()).isEqualTo(1);
    String head = String.join(" ", words.subList(0, 300)) + " ";
    assertThat(scoreOf(cut.json(), 0)).isEqualTo(sigmoid(FakeCrossEncoder.logit(QUERY, head)));
  }

  @Test
  void cohere_chunksPerDocument_followMaxTokensAndMaxChunks() {
    String url = start(ServerConfig.DEFAULTS);
    List<String> doc = List.of(String.join(" ", filler(6000)));
    // 6,000 tokens in windows of 506: 12 chunks; 4,096 tokens (the default cut): 9 chunks
    record Case(String route, String extra, long chunks) {}
    List<Case> cases =
        List.of(
            new Case("/v2/rerank", "", 9),
            new Case("/v2/rerank", ",\"max_tokens_per_doc\":10000", 12),
            new Case("/v1/rerank", ",\"max_tokens_per_doc\":10000", 10), // v1's default cap: 10
            new Case("/v1/rerank", ",\"max_tokens_per_doc\":10000,\"max_chunks_per_doc\":3", 3),
            new Case("/v1/rerank", ",\"max_chunks_per_doc\":2147483647", 9),
            new Case("/v1/rerank", ",\"max_tokens_per_doc\":506", 1),
            new Case("/v1/rerank", ",\"max_tokens_per_doc\":507", 2));
    for (Case c : cases) {
      long before = fake.tokenizedPairs.get();
      Http.Reply r = Http.post(url + c.route, request("documents", doc, c.extra));
      assertThat(r.status()).as(c + ": " + r.body()).isEqualTo(200);
      assertThat(fake.tokenizedPairs.get() - before).as(c.toString()).isEqualTo(c.chunks);
      assertThat(r.json().at("/meta/billed_units/search_units").asInt()).isEqualTo(1);
    }
    // Cohere bills each chunk as a document: 12 chunks + 89 short documents = 101 → 2 units
    List<String> many = new ArrayList<>(doc);
    for (int i = 0; i < 89; i++) {
      many.add("short " + i);
    }
    Http.Reply r =
        Http.post(url + "/v2/rerank", request("documents", many, ",\"max_tokens_per_doc\":10000"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("results")).hasSize(90);
    assertThat(r.json().at("/meta/billed_units/search_units").asInt()).isEqualTo(2);
  }

  /** TEI's truncation_direction left: each text keeps its last tokens, not its first. */
  @Test
  void tei_truncationDirectionLeft_keepsTheEndOfTheText() {
    String url = start(ServerConfig.DEFAULTS);
    List<String> atEnd = new ArrayList<>(filler(700));
    atEnd.addAll(List.of("cats", "eat", "fish"));
    List<String> atStart = new ArrayList<>(List.of("cats", "eat", "fish"));
    atStart.addAll(filler(700));
    List<String> texts = List.of(String.join(" ", atEnd), String.join(" ", atStart));
    JsonNode left =
        Http.post(
                url + "/rerank",
                request("texts", texts, ",\"raw_scores\":true,\"truncation_direction\":\"Left\""))
            .json();
    // sorted by score: the text whose query words end it leads; the other lost its start
    assertThat(left.get(0).get("index").asInt()).isEqualTo(0);
    assertThat(left.get(0).get("score").asDouble()).isGreaterThanOrEqualTo(3.0);
    assertThat(left.get(1).get("score").asDouble()).isLessThan(1.0);
    assertThat(fake.tokenizedPairs.get()).isEqualTo(2);
  }

  @Test
  void cohere_chunks_respectTheBatchTokenBudget() {
    // 1,024 padded tokens per call: chunks are 512 tokens each, so at most two per call
    String url = start(ServerConfig.DEFAULTS.withBatching(1024, 64, 1));
    List<String> doc = List.of(String.join(" ", filler(6000)));
    Http.Reply r =
        Http.post(url + "/v2/rerank", request("documents", doc, ",\"max_tokens_per_doc\":10000"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(fake.batchSizes).allMatch(n -> n <= 2);
    assertThat(fake.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(12);
  }

  @Test
  void queueBound_countsEveryChunk() throws Exception {
    String url = start(ServerConfig.DEFAULTS.withLimits(1000, 1 << 20, 10));
    CountDownLatch held = fake.hold();
    CompletableFuture<Http.Reply> running =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", request("documents", List.of("a"), "")));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    List<String> five = List.of("a", "b", "c", "d", "e");
    CompletableFuture<Http.Reply> queued =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", request("documents", five, "")));
    WinnowServerTest.waitFor(() -> server.metrics().render().contains("winnow_queue_pairs 5"));
    // one document, but 3,000 tokens: 6 chunks, and 5 + 6 > 10
    List<String> longDoc = List.of(String.join(" ", filler(3000)));
    Http.Reply refused = Http.post(url + "/v2/rerank", request("documents", longDoc, ""));
    assertThat(refused.status()).as(refused.body()).isEqualTo(429);
    assertThat(refused.json().get("message").asText()).contains("5 of 10 pairs waiting");
    // five short documents still fit: 5 + 5 = 10
    CompletableFuture<Http.Reply> fits =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", request("documents", five, "")));
    WinnowServerTest.waitFor(() -> server.metrics().render().contains("winnow_queue_pairs 10"));
    fake.release();
    assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(queued.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(fits.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(server.metrics().rejections("queue_full")).isEqualTo(1);
  }

  @Test
  void tei_truncateFalse_refusesAnOverLongPair_namingTextTokensAndLimit() {
    String url = start(ServerConfig.DEFAULTS);
    String long600 = String.join(" ", filler(600)); // 3 + 600 + 3 = 606 tokens
    String long510 = String.join(" ", filler(510)); // 516 tokens
    List<String> texts = List.of("cats", long600, "fish", long510);

    Http.Reply refused = Http.post(url + "/rerank", request("texts", texts, ",\"truncate\":false"));
    assertThat(refused.status()).as(refused.body()).isEqualTo(422);
    JsonNode error = refused.json();
    assertThat(error.get("error_type").asText()).isEqualTo("validation");
    assertThat(error.get("error").asText())
        .contains("texts[1]")
        .contains("606 tokens")
        .contains("maximum of 512")
        .contains("1 more")
        .contains("\"truncate\": true");
    assertThat(fake.pairsScored.get()).isZero();

    // exactly at the limit is accepted: 3 + 506 + 3 = 512
    String fits = String.join(" ", filler(506));
    Http.Reply atLimit =
        Http.post(url + "/rerank", request("texts", List.of(fits, "cats"), ",\"truncate\":false"));
    assertThat(atLimit.status()).as(atLimit.body()).isEqualTo(200);
    Http.Reply overByOne =
        Http.post(url + "/rerank", request("texts", List.of(fits + " x"), ",\"truncate\":false"));
    assertThat(overByOne.status()).isEqualTo(422);
    assertThat(overByOne.json().get("error").asText()).contains("texts[0]").contains("513 tokens");

    for (String extra : List.of(",\"truncate\":true", "")) {
      Http.Reply cut = Http.post(url + "/rerank", request("texts", texts, extra));
      assertThat(cut.status()).as(extra + ": " + cut.body()).isEqualTo(200);
      assertThat(cut.json()).hasSize(4);
    }
  }

  @Test
  void hostileChunkingValues_areRefusedNamingTheField() {
    String url = start(ServerConfig.DEFAULTS);
    List<String> docs = List.of("a", "b");
    for (String field : List.of("max_chunks_per_doc", "max_tokens_per_doc")) {
      for (String value : List.of("0", "-3", "2147483648", "1e30", "\"4\"", "2.5", "true", "[1]")) {
        Http.Reply r =
            Http.post(
                url + "/v1/rerank", request("documents", docs, ",\"" + field + "\":" + value));
        assertThat(r.status()).as(field + "=" + value + ": " + r.body()).isEqualTo(422);
        assertThat(r.json().get("message").asText()).as(field + "=" + value).startsWith(field);
      }
    }
    Http.Reply tokensOnV2 =
        Http.post(url + "/v2/rerank", request("documents", docs, ",\"max_tokens_per_doc\":0"));
    assertThat(tokensOnV2.status()).isEqualTo(422);
    assertThat(tokensOnV2.json().get("message").asText()).startsWith("max_tokens_per_doc");
    Http.Reply truncate =
        Http.post(url + "/rerank", request("texts", docs, ",\"truncate\":\"no\""));
    assertThat(truncate.status()).isEqualTo(422);
    assertThat(truncate.json().get("error").asText()).startsWith("truncate");
  }

  /** An engine without a tokenizer: documents are read as one window the engine truncates. */
  @Test
  void withoutATokenizer_cohereReadsOneWindow_andTruncateFalseIsRefused() {
    CrossEncoder bare =
        new CrossEncoder() {
          @Override
          public List<PairScore> scorePairs(List<TextPair> pairs, ScoringOptions options) {
            return fake.scorePairs(pairs, options);
          }

          @Override
          public String name() {
            return "bare";
          }

          @Override
          public Activation defaultActivation() {
            return Activation.SIGMOID;
          }

          @Override
          public int maxLength() {
            return 512;
          }

          @Override
          public void close() {}
        };
    String url = start(bare, ServerConfig.DEFAULTS);
    assertThat(Http.get(url + "/info").json().get("long_documents").asText()).isEqualTo("truncate");
    List<String> doc = List.of(String.join(" ", filler(6000)));
    Http.Reply r = Http.post(url + "/v2/rerank", request("documents", doc, ""));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(fake.pairsScored.get()).isEqualTo(1);
    assertThat(fake.tokenizedPairs.get()).isZero();
    Http.Reply strict = Http.post(url + "/rerank", request("texts", doc, ",\"truncate\":false"));
    assertThat(strict.status()).isEqualTo(422);
    assertThat(strict.json().get("error").asText()).contains("tokenizer");
  }
}
