package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WinnowServerTest {

  static final String QUERY = "what do cats eat";
  static final List<String> DOCS =
      List.of(
          "dogs chase cars",
          "cats eat fish and mice",
          "what a day",
          "the cat sat",
          "do cats eat grass? some cats do");

  private final FakeCrossEncoder fake = new FakeCrossEncoder();
  private WinnowServer server;

  @AfterEach
  void stop() {
    fake.release();
    if (server != null) {
      server.shutdown(Duration.ofSeconds(2));
    }
  }

  private String start(ServerConfig config) {
    server = new WinnowServer(fake, config.withPort(0)).start();
    return server.baseUrl();
  }

  private static String body(String queryField, String docsField) {
    StringBuilder sb = new StringBuilder("{\"model\":\"m\",\"" + queryField + "\":\"" + QUERY);
    sb.append("\",\"").append(docsField).append("\":[");
    for (int i = 0; i < DOCS.size(); i++) {
      sb.append(i == 0 ? "" : ",").append('"').append(DOCS.get(i)).append('"');
    }
    return sb.append("]").toString();
  }

  private List<RankedDocument> expected(ScoringOptions options) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < DOCS.size(); i++) {
      ids.add(Integer.toString(i));
    }
    return fake.rerank(QUERY, ids, DOCS, DOCS.size(), options);
  }

  @Test
  void cohereV2_returnsTheLibraryRanking_cutAtTopN() {
    String url = start(ServerConfig.DEFAULTS);
    Http.Reply r = Http.post(url + "/v2/rerank", body("query", "documents") + ",\"top_n\":3}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode json = r.json();
    List<RankedDocument> want = expected(ScoringOptions.DEFAULTS);
    assertThat(json.get("results")).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(json.get("results").get(i).get("index").asInt()).isEqualTo(want.get(i).index());
      assertThat(json.get("results").get(i).get("relevance_score").asDouble())
          .isEqualTo(want.get(i).score());
    }
    assertThat(json.at("/meta/api_version/version").asText()).isEqualTo("2");
    assertThat(json.at("/meta/billed_units/search_units").asInt()).isEqualTo(1);
    assertThat(json.at("/meta/tokens/input_tokens").asLong()).isPositive();
    assertThat(r.header("x-total-time")).isNotEmpty();
  }

  @Test
  void cohereV1_objectsAndRankFields_returnDocumentsAsSent() {
    String url = start(ServerConfig.DEFAULTS);
    String req =
        "{\"query\":\"cats\",\"return_documents\":true,\"rank_fields\":[\"title\",\"body\"],"
            + "\"documents\":[{\"title\":\"dogs\",\"body\":\"bark\",\"id\":7},"
            + "{\"title\":\"cats\",\"body\":\"meow\"},\"plain cats text\"]}";
    Http.Reply r = Http.post(url + "/v1/rerank", req);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode json = r.json();
    assertThat(json.get("model").asText()).isEqualTo("fake-overlap");
    assertThat(json.at("/usage/total_tokens").asLong()).isPositive();
    assertThat(json.at("/meta/api_version/version").asText()).isEqualTo("1");
    JsonNode results = json.get("results");
    assertThat(results).hasSize(3);
    for (JsonNode res : results) {
      int index = res.get("index").asInt();
      String text =
          switch (index) {
            case 0 -> "title: dogs\nbody: bark";
            case 1 -> "title: cats\nbody: meow";
            default -> "plain cats text";
          };
      assertThat(res.get("relevance_score").asDouble())
          .isEqualTo(1 / (1 + Math.exp(-FakeCrossEncoder.logit("cats", text))));
    }
    JsonNode first = results.get(0);
    assertThat(first.get("document"))
        .isEqualTo(
            first.get("index").asInt() == 2
                ? Http.JSON.createObjectNode().put("text", "plain cats text")
                : Http.JSON.createObjectNode().put("title", "cats").put("body", "meow"));
  }

  @Test
  void cohereV1_returnDocumentsDefaultsToFalse() {
    String url = start(ServerConfig.DEFAULTS);
    Http.Reply r = Http.post(url + "/v1/rerank", body("query", "documents") + "}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("results").get(0).has("document")).isFalse();
  }

  @Test
  void tei_bareArraySigmoidOrRaw_withText() {
    String url = start(ServerConfig.DEFAULTS);
    Http.Reply r =
        Http.post(
            url + "/rerank", body("query", "texts") + ",\"raw_scores\":true,\"return_text\":true}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode arr = r.json();
    assertThat(arr.isArray()).isTrue();
    assertThat(arr).hasSize(DOCS.size());
    List<RankedDocument> want =
        expected(ScoringOptions.DEFAULTS.withActivation(dev.winnow.api.Activation.RAW));
    for (int i = 0; i < arr.size(); i++) {
      assertThat(arr.get(i).get("index").asInt()).isEqualTo(want.get(i).index());
      assertThat(arr.get(i).get("score").asDouble()).isEqualTo(want.get(i).logit());
      assertThat(arr.get(i).get("text").asText()).isEqualTo(DOCS.get(want.get(i).index()));
    }
    Http.Reply sig = Http.post(url + "/rerank", body("query", "texts") + "}");
    assertThat(sig.json().get(0).get("score").asDouble())
        .isEqualTo(1 / (1 + Math.exp(-want.get(0).logit())));
    assertThat(sig.json().get(0).has("text")).isFalse();
  }

  @Test
  void errors_useEachDialectsShape() {
    String url = start(ServerConfig.DEFAULTS);
    Http.Reply cohere = Http.post(url + "/v2/rerank", "{\"documents\":[\"a\"]}");
    assertThat(cohere.status()).isEqualTo(422);
    assertThat(cohere.json().get("message").asText()).contains("query is required");
    Http.Reply tei = Http.post(url + "/rerank", "{\"query\":\"q\",\"texts\":[]}");
    assertThat(tei.status()).isEqualTo(400);
    assertThat(tei.json().get("error_type").asText()).isEqualTo("empty");
    assertThat(tei.json().get("error").asText()).contains("texts");
  }

  @Test
  void operationalRoutes_healthReadyInfoMetricsOpenApi() {
    String url = start(ServerConfig.DEFAULTS);
    assertThat(Http.get(url + "/health").status()).isEqualTo(200);
    assertThat(Http.get(url + "/ready").json().get("status").asText()).isEqualTo("ready");
    JsonNode info = Http.get(url + "/info").json();
    assertThat(info.get("model").asText()).isEqualTo("fake-overlap");
    assertThat(info.at("/limits/max_documents").asInt()).isEqualTo(1000);
    assertThat(info.at("/limits/max_body_bytes").asLong()).isEqualTo(8L * 1024 * 1024);
    // TEI's /info fields, so TEI clients read this server as a TEI reranker
    assertThat(info.get("model_id").asText()).isEqualTo("fake-overlap");
    assertThat(info.get("max_input_length").asInt()).isEqualTo(fake.maxLength());
    assertThat(info.get("max_client_batch_size").asInt()).isEqualTo(1000);
    assertThat(info.at("/model_type/reranker").isObject()).isTrue();
    Http.Reply head = Http.send("HEAD", url + "/info", null);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    Http.post(url + "/v2/rerank", body("query", "documents") + "}");
    Http.Reply m = Http.get(url + "/metrics");
    assertThat(m.header("content-type")).startsWith("text/plain; version=0.0.4");
    assertThat(m.body())
        .contains("winnow_http_requests_total{route=\"/v2/rerank\",status=\"200\"} 1")
        .contains(
            "winnow_http_request_duration_seconds_bucket{route=\"/v2/rerank\",status=\"200\",le=\"+Inf\"} 1")
        .contains("winnow_pairs_scored_total 5")
        .contains("winnow_queue_pairs 0")
        .contains("winnow_batch_pairs_count 1");
    JsonNode api = Http.get(url + "/openapi.json").json();
    assertThat(api.get("openapi").asText()).startsWith("3.");
    // built for this server: its address, its limits, the statuses every route can answer
    assertThat(api.at("/servers/0/url").asText()).isEqualTo(url);
    assertThat(api.toString()).contains("\"maxItems\":1000").doesNotContain("\"maxItems\":1001");
    assertThat(api.at("/paths/~1v2~1rerank/post/responses").has("405")).isTrue();
    assertThat(api.at("/paths/~1v2~1rerank/post/responses/413/description").asText())
        .contains("8388608");
    assertThat(api.at("/paths/~1health/head/responses").has("200")).isTrue();
    for (Route r : Route.values()) {
      if (r != Route.UNKNOWN) {
        assertThat(api.get("paths").has(r.path)).as(r.path).isTrue();
        for (String method : r.methods) {
          assertThat(api.get("paths").get(r.path).has(method.toLowerCase(java.util.Locale.ROOT)))
              .as(method + " " + r.path)
              .isTrue();
        }
      }
    }
  }

  /** Issue 14, item 9: a key no header can carry used to be accepted, then matched nothing. */
  @Test
  void apiKey_notVisibleAscii_isRefusedAtStart() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ServerConfig.DEFAULTS.withApiKey(Optional.of("clé-secrète"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("api key must be visible ASCII (characters ! to ~), got U+00E9 at position 2");
  }

  @Test
  void apiKey_guardsRerankAndInfo_notOperationalRoutes() {
    String url = start(ServerConfig.DEFAULTS.withApiKey(Optional.of("s3cret-key"), false));
    assertThat(Http.post(url + "/v2/rerank", body("query", "documents") + "}").status())
        .isEqualTo(401);
    Http.Reply wrong =
        Http.post(url + "/rerank", body("query", "texts") + "}", "Authorization", "Bearer nope");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.json().get("error_type").asText()).isEqualTo("validation");
    assertThat(wrong.body()).doesNotContain("s3cret");
    assertThat(
            Http.post(
                    url + "/v2/rerank",
                    body("query", "documents") + "}",
                    "Authorization",
                    "Bearer s3cret-key")
                .status())
        .isEqualTo(200);
    assertThat(Http.get(url + "/info").status()).isEqualTo(401);
    assertThat(Http.get(url + "/health").status()).isEqualTo(200);
    assertThat(Http.get(url + "/metrics").status()).isEqualTo(200);
  }

  @Test
  void apiKey_protectOps_guardsOperationalRoutesToo() {
    String url = start(ServerConfig.DEFAULTS.withApiKey(Optional.of("k"), true));
    assertThat(Http.get(url + "/metrics").status()).isEqualTo(401);
    assertThat(Http.get(url + "/ready", "Authorization", "Bearer k").status()).isEqualTo(200);
  }

  @Test
  void scheduler_coalescesPairsOfDifferentRequestsIntoOneBatch() throws Exception {
    String url = start(ServerConfig.DEFAULTS);
    CountDownLatch held = fake.hold();
    CompletableFuture<Http.Reply> first =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", "{\"query\":\"one\",\"documents\":[\"a\"]}"));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Http.Reply>> later = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String q = "query " + i;
      later.add(
          CompletableFuture.supplyAsync(
              () ->
                  Http.post(
                      url + "/v1/rerank",
                      "{\"query\":\"" + q + "\",\"documents\":[\"x\",\"y\",\"z\"]}")));
    }
    waitFor(() -> server.metrics().render().contains("winnow_queue_pairs 12"));
    fake.release();
    assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    for (var f : later) {
      assertThat(f.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    assertThat(fake.batchSizes).containsExactly(1, 12);
    assertThat(fake.batchQueries.get(1)).hasSize(4);
  }

  /**
   * With the model held on a first request, queues a Cohere request of {@code documents} texts,
   * then the small request {@code smallBody} on {@code smallRoute}, releases the model and waits
   * for all three answers.
   */
  private void smallBehindLarge(int documents, String smallRoute, String smallBody)
      throws Exception {
    String url = start(ServerConfig.DEFAULTS);
    CountDownLatch held = fake.hold();
    CompletableFuture<Http.Reply> first =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", "{\"query\":\"one\",\"documents\":[\"a\"]}"));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    StringBuilder docs = new StringBuilder();
    for (int i = 0; i < documents; i++) {
      docs.append(i == 0 ? "" : ",").append("\"doc ").append(i).append('"');
    }
    CompletableFuture<Http.Reply> large =
        CompletableFuture.supplyAsync(
            () ->
                Http.post(
                    url + "/v2/rerank", "{\"query\":\"large\",\"documents\":[" + docs + "]}"));
    waitFor(() -> server.metrics().render().contains("winnow_queue_pairs " + documents));
    CompletableFuture<Http.Reply> small =
        CompletableFuture.supplyAsync(() -> Http.post(url + smallRoute, smallBody));
    waitFor(() -> server.metrics().render().contains("winnow_queue_pairs " + (documents + 1)));
    fake.release();
    assertThat(small.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(large.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    first.get(10, TimeUnit.SECONDS);
  }

  @Test
  void scheduler_servesASmallRequestInTheNextBatch_behindALargeOne() throws Exception {
    smallBehindLarge(200, "/v2/rerank", "{\"query\":\"small\",\"documents\":[\"x\"]}");
    // batch 0 is the held one; batch 1 already carries the small request, and is full (64 pairs)
    assertThat(fake.batchQueries.get(1)).containsExactlyInAnyOrder("large", "small");
    assertThat(fake.batchSizes.get(1)).isEqualTo(64);
    assertThat(fake.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(202);
  }

  /**
   * Issue 14, item 6: Cohere pairs arrive tokenized and TEI's as texts, which cannot share a model
   * call; a one-text TEI request behind 1,000 Cohere documents was served after all of them.
   */
  @Test
  void scheduler_servesAOneTextRequestOfAnotherKind_withinTwoBatches_behindALargeOne()
      throws Exception {
    smallBehindLarge(1000, "/rerank", "{\"query\":\"small\",\"texts\":[\"x\"]}");
    int servedIn = -1;
    for (int b = 0; b < fake.batchQueries.size() && servedIn < 0; b++) {
      servedIn = fake.batchQueries.get(b).contains("small") ? b : -1;
    }
    // batch 0 is the held one, batch 1 the first 64 pairs of the large request
    assertThat(servedIn).as("batch that served the small request").isEqualTo(2);
    assertThat(fake.batchSizes.size()).isGreaterThan(16);
  }

  @Test
  void scheduler_splitsALargeRequestByTokenBudget() {
    String url = start(ServerConfig.DEFAULTS.withBatching(64, 64, 1));
    StringBuilder docs = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      docs.append(i == 0 ? "" : ",").append("\"").append("word ".repeat(40)).append(i).append("\"");
    }
    Http.Reply r =
        Http.post(url + "/v2/rerank", "{\"query\":\"word\",\"documents\":[" + docs + "]}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("results")).hasSize(10);
    // Cohere pairs arrive tokenized: each is exactly 3 + 1 + 41 = 45 tokens, one per 64-token batch
    assertThat(fake.batchSizes).hasSize(10).allMatch(n -> n == 1);
  }

  @Test
  void queueFull_answers429WithRetryAfterAtOnce() throws Exception {
    String url = start(ServerConfig.DEFAULTS.withLimits(4, 1 << 20, 4));
    CountDownLatch held = fake.hold();
    CompletableFuture<Http.Reply> running =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"a\"]}"));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Http.Reply> queued =
        CompletableFuture.supplyAsync(
            () ->
                Http.post(
                    url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"a\",\"b\",\"c\"]}"));
    waitFor(() -> server.metrics().render().contains("winnow_queue_pairs 3"));
    Http.Reply rejected = Http.post(url + "/rerank", "{\"query\":\"q\",\"texts\":[\"a\",\"b\"]}");
    assertThat(rejected.status()).isEqualTo(429);
    assertThat(rejected.header("retry-after")).isEqualTo("1");
    assertThat(rejected.json().get("error_type").asText()).isEqualTo("overloaded");
    fake.release();
    assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(queued.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(server.metrics().rejections("queue_full")).isEqualTo(1);
  }

  @Test
  void deadline_answers503AndDropsTheWork() throws Exception {
    String url = start(ServerConfig.DEFAULTS.withRequestTimeout(Duration.ofMillis(300)));
    CountDownLatch held = fake.hold();
    CompletableFuture<Http.Reply> running =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"a\"]}"));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    Http.Reply late =
        Http.post(url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"b\",\"c\"]}");
    assertThat(late.status()).isEqualTo(503);
    assertThat(late.header("retry-after")).isEqualTo("1");
    assertThat(server.metrics().render()).contains("winnow_queue_pairs 0");
    fake.release();
    running.get(10, TimeUnit.SECONDS);
    waitFor(() -> fake.pairsScored.get() == 1);
    assertThat(fake.batchSizes).containsExactly(1);
  }

  @Test
  void clientDisconnect_releasesItsPlaceAndItsPairsAreNeverScored() throws Exception {
    String url = start(ServerConfig.DEFAULTS);
    CountDownLatch held = fake.hold();
    CompletableFuture<Http.Reply> running =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"a\"]}"));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    byte[] json =
        "{\"query\":\"q\",\"documents\":[\"b\",\"c\",\"d\"]}".getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                  + json.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(json);
      out.flush();
      waitFor(() -> server.metrics().render().contains("winnow_queue_pairs 3"));
    }
    waitFor(() -> server.metrics().cancellations("disconnect") == 1);
    assertThat(server.metrics().render()).contains("winnow_queue_pairs 0");
    fake.release();
    assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(fake.pairsScored.get()).isEqualTo(1);
  }

  @Test
  void shutdown_drainsInFlightThenRefuses() throws Exception {
    String url = start(ServerConfig.DEFAULTS);
    CountDownLatch held = fake.hold();
    CompletableFuture<Http.Reply> running =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"a\"]}"));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> drained =
        CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(10)));
    waitFor(() -> !server.ready());
    Http.Reply refused = Http.post(url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"a\"]}");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(Http.get(url + "/ready").status()).isEqualTo(503);
    fake.release();
    assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(10);
    }
  }
}
