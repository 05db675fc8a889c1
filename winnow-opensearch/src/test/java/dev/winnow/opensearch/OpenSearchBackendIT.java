package dev.winnow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real cluster ({@link TestCluster}): index creation, the mapping as the cluster stores
 * it, analysis, exact BM25 scores, k-NN, partial bulk failures and a red index.
 */
class OpenSearchBackendIT {

  // Analysed (stop words dropped, Porter stems) lengths: d1 5, d2 4, d3 3, d4 3, d5 4.
  static final List<Document> CORPUS =
      List.of(
          new Document("d1", "Cats", "cats purr and cats sleep", Map.of("kind", "pets")),
          Document.of("d2", "Dogs bark loudly at night"),
          Document.of("d3", "A cat watched the dogs"),
          Document.of("d4", "The student's studies of stars"),
          Document.of("d5", "Night skies and bright stars"));

  private final List<OpenSearchBackend> opened = new ArrayList<>();
  private final ObjectMapper json = new ObjectMapper();

  private OpenSearchBackend backend(OpenSearchConfig config) {
    OpenSearchBackend b = OpenSearchBackend.connect(config);
    opened.add(b);
    return b;
  }

  @AfterEach
  void dropIndices() {
    for (OpenSearchBackend b : opened) {
      try (b) {
        b.deleteIndex();
      }
    }
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(Hit::id).toList();
  }

  @Test
  void ingest_thenBm25_ranksAsExpectedWithExactScores() {
    OpenSearchBackend b = backend(TestCluster.config("it-bm25"));
    IngestReport report = b.ingest(CORPUS, Optional.empty());
    assertThat(report.indexed()).isEqualTo(5);
    assertThat(report.failures()).isEmpty();
    assertThat(b.count()).isEqualTo(5);

    OpenSearchRetriever bm25 = OpenSearchRetriever.bm25(b);
    List<Hit> cat = bm25.retrieve(Query.of("cat"), 10);
    assertThat(ids(cat)).containsExactly("d1", "d3");
    // BM25 by hand: idf = ln(1 + (N - n + 0.5) / (n + 0.5)), tf part f / (f + k1 (1 - b + b
    // dl/avgdl)).
    double idf = Math.log(1 + (5 - 2 + 0.5) / (2 + 0.5));
    double avgdl = 19.0 / 5;
    assertThat(cat.get(0).score())
        .isCloseTo(idf * 3 / (3 + 0.9 * (0.6 + 0.4 * 5 / avgdl)), within(1e-5));
    assertThat(cat.get(1).score())
        .isCloseTo(idf * 1 / (1 + 0.9 * (0.6 + 0.4 * 3 / avgdl)), within(1e-5));
    assertThat(cat.get(0).text()).isEqualTo("Cats cats purr and cats sleep");
    assertThat(cat.get(0).provenance().firstStageRank()).isEqualTo(1);
    assertThat(cat.get(0).provenance().retriever()).isEqualTo("opensearch-bm25");

    assertThat(ids(bm25.retrieve(Query.of("studying students"), 10))).containsExactly("d4");
    assertThat(ids(bm25.retrieve(Query.of("dogs at night"), 10)).get(0)).isEqualTo("d2");
    assertThat(bm25.retrieve(Query.of("the of and"), 10)).isEmpty();
  }

  @Test
  void createIndex_mappingAndSettingsAreStoredAsWritten() throws Exception {
    OpenSearchBackend b = backend(TestCluster.config("it-mapping").withShards(2).withReplicas(0));
    b.createIndex(Optional.of(new VectorSpec("hashing-32", 32)));
    JsonNode def = b.indexDefinition();
    JsonNode index = def.path("settings").path("index");
    assertThat(index.path("number_of_shards").asText()).isEqualTo("2");
    assertThat(index.path("number_of_replicas").asText()).isEqualTo("0");
    assertThat(index.path("knn").asText()).isEqualTo("true");
    assertThat(index.path("similarity").path("winnow_bm25").path("k1").asText()).isEqualTo("0.9");
    assertThat(index.path("similarity").path("winnow_bm25").path("b").asText()).isEqualTo("0.4");
    assertThat(
            index
                .path("analysis")
                .path("analyzer")
                .path("winnow_english")
                .path("filter")
                .toString())
        .isEqualTo("[\"winnow_possessive\",\"lowercase\",\"winnow_stop\",\"winnow_porter\"]");
    JsonNode props = def.path("mappings").path("properties");
    assertThat(props.path("content").path("analyzer").asText()).isEqualTo("winnow_english");
    assertThat(props.path("embedding").path("method").path("engine").asText()).isEqualTo("lucene");
    assertThat(props.path("embedding").path("method").path("space_type").asText())
        .isEqualTo("cosinesimil");
    assertThat(b.vectors()).contains(new VectorSpec("hashing-32", 32));

    // The analyzer as the cluster runs it: possessive, lower case, stop words, Porter.
    JsonNode tokens =
        b.raw(
            "POST",
            "/" + b.config().index() + "/_analyze",
            Optional.of(
                json.readTree(
                    "{\"analyzer\":\"winnow_english\",\"text\":\"The Dog's running into studies\"}")),
            "analyze");
    List<String> terms = new ArrayList<>();
    tokens.path("tokens").forEach(t -> terms.add(t.path("token").asText()));
    assertThat(terms).containsExactly("dog", "run", "studi");

    // Two shards still score like one: statistics are gathered over all shards (DFS).
    b.ingest(CORPUS, Optional.of(new HashingEncoder()));
    double idf = Math.log(1 + (5 - 2 + 0.5) / (2 + 0.5));
    assertThat(b.searchText("cat", 10, "bm25").get(0).score())
        .isCloseTo(idf * 3 / (3 + 0.9 * (0.6 + 0.4 * 5 / 3.8)), within(1e-5));
  }

  @Test
  void dense_findsTheNearestVectorsWithCosineScores() {
    OpenSearchBackend b = backend(TestCluster.config("it-dense"));
    HashingEncoder enc = new HashingEncoder();
    b.ingest(CORPUS, Optional.of(enc));
    List<Hit> hits =
        OpenSearchRetriever.dense(b, enc).retrieve(Query.of("cats purr and cats sleep"), 5);
    assertThat(hits.get(0).id()).isEqualTo("d1");
    // Hits carry the cosine (the cluster's (1 + cos) / 2 mapped back); exact on 5 documents.
    for (Hit h : hits) {
      Document d = CORPUS.stream().filter(x -> x.id().equals(h.id())).findFirst().orElseThrow();
      float[] q = enc.encode("cats purr and cats sleep");
      float[] v = enc.encode(d.fullText());
      double cos = 0;
      for (int i = 0; i < q.length; i++) {
        cos += q[i] * v[i];
      }
      assertThat(h.score()).isCloseTo(cos, within(1e-5));
    }
  }

  @Test
  void dense_withAnotherEncoder_isRefusedNamingBoth() {
    OpenSearchBackend b = backend(TestCluster.config("it-wrong-encoder"));
    b.ingest(CORPUS.subList(0, 2), Optional.of(new HashingEncoder()));
    assertThatThrownBy(() -> OpenSearchRetriever.dense(b, new HashingEncoder(16, "hashing-16")))
        .isInstanceOf(OpenSearchClusterException.class)
        .hasMessageContaining(b.config().index())
        .hasMessageContaining("hashing-32")
        .hasMessageContaining("hashing-16");
    assertThatThrownBy(() -> b.ingest(CORPUS, Optional.of(new HashingEncoder(16, "hashing-16"))))
        .isInstanceOf(OpenSearchClusterException.class)
        .hasMessageContaining("delete the index, or choose another");
    // Text-only documents in an index with vectors would be invisible to dense search.
    assertThatThrownBy(() -> b.ingest(CORPUS, Optional.empty()))
        .isInstanceOf(OpenSearchClusterException.class)
        .hasMessageContaining("holds vectors of hashing-32")
        .hasMessageContaining("brings no vectors");
  }

  @Test
  void ingest_documentRejectedByTheCluster_isReportedAndTheRestIndexed() throws Exception {
    OpenSearchBackend b = backend(TestCluster.config("it-partial"));
    String pipeline = b.config().index() + "-poison";
    b.raw(
        "PUT",
        "/_ingest/pipeline/" + pipeline,
        Optional.of(
            json.readTree(
                "{\"processors\":[{\"fail\":{\"if\":\"ctx.id == 'poison'\","
                    + "\"message\":\"poisoned document\"}}]}")),
        "create pipeline");
    try {
      b.createIndex(Optional.empty());
      b.raw(
          "PUT",
          "/" + b.config().index() + "/_settings",
          Optional.of(json.readTree("{\"index.default_pipeline\":\"" + pipeline + "\"}")),
          "set pipeline");
      List<Document> docs = new ArrayList<>(CORPUS.subList(0, 3));
      docs.add(1, Document.of("poison", "this one the cluster refuses"));
      IngestReport report = b.ingest(docs, Optional.empty());
      assertThat(report.indexed()).isEqualTo(3);
      assertThat(report.failures()).hasSize(1);
      DocumentFailure f = report.failures().get(0);
      assertThat(f.id()).isEqualTo("poison");
      assertThat(f.status()).isEqualTo(500);
      assertThat(f.reason()).contains("poisoned document");
      assertThat(b.count()).isEqualTo(3);
    } finally {
      b.deleteIndex();
      b.raw("DELETE", "/_ingest/pipeline/" + pipeline, Optional.empty(), "delete pipeline");
    }
  }

  @Test
  void awaitYellow_redIndex_failsNamingTheIndexAndItsShards() throws Exception {
    OpenSearchConfig config = TestCluster.config("it-red").withTimeout(Duration.ofSeconds(2));
    OpenSearchBackend b = backend(config);
    // Primaries that may only live on a node that does not exist: the index stays red.
    b.raw(
        "PUT",
        "/" + config.index() + "?wait_for_active_shards=0",
        Optional.of(
            json.readTree(
                "{\"settings\":{\"index.routing.allocation.require._name\":\"no-such-node\","
                    + "\"number_of_shards\":1,\"number_of_replicas\":0}}")),
        "create red index");
    assertThatThrownBy(b::awaitYellow)
        .isInstanceOf(OpenSearchClusterException.class)
        .hasMessageContaining(config.index())
        .hasMessageContaining("is red")
        .hasMessageContaining("1 unassigned shard(s)");
    assertThatThrownBy(() -> b.searchText("cat", 10, "bm25"))
        .isInstanceOf(OpenSearchClusterException.class)
        .hasMessageContaining(config.urls().get(0).toString())
        .hasMessageContaining("run a BM25 search failed");
  }

  @Test
  void search_missingIndex_saysSo() {
    OpenSearchBackend b = backend(TestCluster.config("it-missing"));
    assertThatThrownBy(() -> b.searchText("cat", 10, "bm25"))
        .isInstanceOf(OpenSearchClusterException.class)
        .hasMessageContaining("index_not_found_exception")
        .hasMessageContaining(b.config().index());
  }
}
