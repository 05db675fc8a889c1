package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.index.WinnowIndex;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CorpusRoutesTest {

  private final FakeCrossEncoder fake = new FakeCrossEncoder();
  private WinnowIndex index;
  private WinnowServer server;
  private String url;

  @BeforeEach
  void start() {
    index = WinnowIndex.inMemory();
    server = new WinnowServer(fake, ServerConfig.DEFAULTS.withPort(0), Optional.of(index)).start();
    url = server.baseUrl();
  }

  @AfterEach
  void stop() {
    server.shutdown(Duration.ofSeconds(2));
    index.close();
  }

  /** BM25 prefers "a" (short, high term frequency); the fake model prefers "b" (all 3 words). */
  private static final String CORPUS =
      "{\"documents\":["
          + "{\"id\":\"a\",\"title\":\"cats\",\"text\":\"cats cats cats fish fish fish\"},"
          + "{\"id\":\"b\",\"text\":\"a long story about the many animals living near the river:"
          + " some cats eat fish while dogs bark at birds in the trees all day long, and nobody"
          + " minds\",\"metadata\":{\"lang\":\"en\"}},"
          + "{\"id\":\"c\",\"text\":\"people eat bread\"},"
          + "{\"id\":\"d\",\"text\":\"we eat rice\"}]}";

  @Test
  void documents_answer200OnlyOnceCommitted_thenVisibleToGetAndSearch() {
    Http.Reply added = Http.post(url + "/v1/documents", CORPUS);
    assertThat(added.status()).as(added.body()).isEqualTo(200);
    assertThat(added.json().get("added").asInt()).isEqualTo(4);
    assertThat(added.json().get("documents").asInt()).isEqualTo(4);
    JsonNode b = Http.get(url + "/v1/documents/b").json();
    assertThat(b.get("text").asText()).startsWith("a long story");
    assertThat(b.at("/metadata/lang").asText()).isEqualTo("en");
    assertThat(Http.get(url + "/v1/documents/zzz").status()).isEqualTo(404);
  }

  @Test
  void search_rerankFlipsTheBm25Order_andExplainsEachScore() {
    Http.post(url + "/v1/documents", CORPUS);
    JsonNode bm25 =
        Http.post(url + "/v1/search", "{\"query\":\"cats eat fish\",\"rerank\":false}").json();
    JsonNode reranked = Http.post(url + "/v1/search", "{\"query\":\"cats eat fish\"}").json();
    assertThat(bm25.get("results").get(0).get("id").asText()).isEqualTo("a");
    assertThat(reranked.get("results").get(0).get("id").asText()).isEqualTo("b");
    JsonNode top = reranked.get("results").get(0);
    assertThat(top.at("/first_stage/retriever").asText()).isEqualTo("bm25");
    assertThat(top.at("/first_stage/rank").asInt()).isEqualTo(2);
    assertThat(top.at("/stages/0/raw").asDouble())
        .as(reranked.toPrettyString())
        .isEqualTo(FakeCrossEncoder.logit("cats eat fish", index.get("b").orElseThrow().text()));
    assertThat(top.get("score").asDouble()).isEqualTo(top.at("/stages/0/score").asDouble());
    assertThat(reranked.get("timings_ms").has("bm25")).isTrue();
    // the search's pairs went through the shared scheduler
    assertThat(server.metrics().pairsScored()).isEqualTo(fake.pairsScored.get()).isPositive();
  }

  @Test
  void delete_commitsAndThen404() {
    Http.post(url + "/v1/documents", CORPUS);
    Http.Reply d = Http.send("DELETE", url + "/v1/documents/c", null);
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.json().get("documents").asInt()).isEqualTo(3);
    assertThat(Http.get(url + "/v1/documents/c").status()).isEqualTo(404);
    assertThat(Http.send("DELETE", url + "/v1/documents/c", null).status()).isEqualTo(404);
  }

  @Test
  void invalidDocuments_are422AndNothingIsCommitted() {
    Http.Reply r =
        Http.post(
            url + "/v1/documents",
            "{\"documents\":[{\"id\":\"x\",\"text\":\"ok\"},{\"id\":\"\",\"text\":\"no id\"}]}");
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.json().get("message").asText()).contains("documents[1].id");
    assertThat(Http.get(url + "/v1/documents/x").status()).isEqualTo(404);
    assertThat(index.size()).isZero();
  }

  @Test
  void withoutAnIndex_corpusRoutesAre404WithAHint() {
    WinnowServer bare = new WinnowServer(fake, ServerConfig.DEFAULTS.withPort(0)).start();
    try {
      Http.Reply r = Http.post(bare.baseUrl() + "/v1/search", "{\"query\":\"q\"}");
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().get("message").asText()).contains("--index");
    } finally {
      bare.close();
    }
  }
}
