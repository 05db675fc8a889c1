package dev.winnow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Document;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Bulk ingestion against {@link FakeCluster}: retries on 429, per-document failures, no drops. */
class BulkWriterTest {

  private static List<Document> docs(int n) {
    List<Document> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Document.of("d" + i, "text " + i));
    }
    return out;
  }

  @Test
  void ingest_allAccepted_indexesEveryDocumentInBatches() throws IOException {
    try (FakeCluster fake =
            new FakeCluster(
                (call, ids) ->
                    new FakeCluster.Reply(200, FakeCluster.bulkResponse(ids, i -> 201)));
        OpenSearchBackend backend = OpenSearchBackend.connect(fake.config().withBatchSize(4))) {
      IngestReport r = backend.ingest(docs(10), Optional.empty());
      assertThat(r.indexed()).isEqualTo(10);
      assertThat(r.failures()).isEmpty();
      assertThat(r.requests()).isEqualTo(3);
      assertThat(fake.bulkCalls).extracting(List::size).containsExactly(4, 4, 2);
    }
  }

  @Test
  void ingest_itemsRejectedWith429_sendsOnlyThoseAgain() throws IOException {
    // First answer rejects the odd positions; every later answer accepts.
    try (FakeCluster fake =
            new FakeCluster(
                (call, ids) ->
                    new FakeCluster.Reply(
                        200,
                        FakeCluster.bulkResponse(ids, i -> call == 0 && i % 2 == 1 ? 429 : 201)));
        OpenSearchBackend backend = OpenSearchBackend.connect(fake.config())) {
      IngestReport r = backend.ingest(docs(6), Optional.empty());
      assertThat(r.indexed()).isEqualTo(6);
      assertThat(r.failures()).isEmpty();
      assertThat(r.retries()).isEqualTo(1);
      assertThat(fake.bulkCalls.get(1)).containsExactly("d1", "d3", "d5");
    }
  }

  @Test
  void ingest_requestRejectedWith429_retriesTheWholeRequest() throws IOException {
    try (FakeCluster fake =
            new FakeCluster(
                (call, ids) ->
                    call < 2
                        ? new FakeCluster.Reply(429, FakeCluster.requestRejected())
                        : new FakeCluster.Reply(200, FakeCluster.bulkResponse(ids, i -> 201)));
        OpenSearchBackend backend = OpenSearchBackend.connect(fake.config())) {
      IngestReport r = backend.ingest(docs(3), Optional.empty());
      assertThat(r.indexed()).isEqualTo(3);
      assertThat(r.retries()).isEqualTo(2);
      assertThat(fake.bulkCalls).hasSize(3).allSatisfy(c -> assertThat(c).hasSize(3));
    }
  }

  @Test
  void ingest_rejectedBeyondRetries_reportsEachDocument() throws IOException {
    try (FakeCluster fake =
            new FakeCluster(
                (call, ids) -> new FakeCluster.Reply(429, FakeCluster.requestRejected()));
        OpenSearchBackend backend = OpenSearchBackend.connect(fake.config())) {
      IngestReport r = backend.ingest(docs(2), Optional.empty());
      assertThat(r.indexed()).isZero();
      assertThat(fake.bulkCalls).hasSize(1 + 3);
      assertThat(r.failures())
          .extracting(DocumentFailure::id, DocumentFailure::status)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("d0", 429),
              org.assertj.core.groups.Tuple.tuple("d1", 429));
      assertThat(r.failures().get(0).reason()).contains("still rejected after 3 retries");
    }
  }

  @Test
  void ingest_partialFailure_reportsTheFailedDocumentsAndKeepsTheRest() throws IOException {
    try (FakeCluster fake =
            new FakeCluster(
                (call, ids) ->
                    new FakeCluster.Reply(
                        200, FakeCluster.bulkResponse(ids, i -> i == 2 ? 400 : 201)));
        OpenSearchBackend backend = OpenSearchBackend.connect(fake.config())) {
      IngestReport r = backend.ingest(docs(4), Optional.empty());
      assertThat(r.indexed()).isEqualTo(3);
      assertThat(r.complete()).isFalse();
      assertThat(r.failures()).hasSize(1);
      DocumentFailure f = r.failures().get(0);
      assertThat(f.id()).isEqualTo("d2");
      assertThat(f.status()).isEqualTo(400);
      assertThat(f.type()).isEqualTo("mapper_parsing_exception");
      assertThat(f.reason()).contains("fake 400 for d2");
      assertThat(r.summary(5)).contains("3 indexed, 1 failed").contains("d2: HTTP 400");
      assertThat(fake.bulkCalls).hasSize(1);
    }
  }

  @Test
  void ingest_serverError_failsWithUrlAndIndexInTheMessage() throws IOException {
    try (FakeCluster fake =
            new FakeCluster(
                (call, ids) ->
                    new FakeCluster.Reply(
                        400,
                        "{\"error\":{\"type\":\"illegal_argument_exception\","
                            + "\"reason\":\"fake bad request\"},\"status\":400}"));
        OpenSearchBackend backend = OpenSearchBackend.connect(fake.config())) {
      assertThatThrownBy(() -> backend.ingest(docs(1), Optional.empty()))
          .isInstanceOf(OpenSearchClusterException.class)
          .hasMessageContaining(fake.url())
          .hasMessageContaining("index 'fake'")
          .hasMessageContaining("HTTP 400 illegal_argument_exception: fake bad request");
    }
  }

  @Test
  void ingest_noNodeListening_failsNamingTheUrl() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    try (OpenSearchBackend backend =
        OpenSearchBackend.connect(OpenSearchConfig.of(url, "nowhere"))) {
      assertThatThrownBy(() -> backend.ingest(docs(1), Optional.empty()))
          .isInstanceOf(OpenSearchClusterException.class)
          .hasMessageContaining(url)
          .hasMessageContaining("index 'nowhere'")
          .hasMessageContaining("no node reachable");
    }
  }
}
