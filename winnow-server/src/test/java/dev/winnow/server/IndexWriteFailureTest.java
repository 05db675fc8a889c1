package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.index.WinnowIndex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.tests.store.MockDirectoryWrapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ingestion route over a failing disk: a full disk answers 507, another I/O error 503, both
 * with Retry-After and nothing committed; readiness says degraded meanwhile; every acknowledged
 * document stays readable; writes resume once the fault is gone.
 */
class IndexWriteFailureTest {

  private final MockDirectoryWrapper dir =
      new MockDirectoryWrapper(new Random(42), new ByteBuffersDirectory());
  private WinnowIndex index;
  private WinnowServer server;
  private String url;
  private final List<String> acknowledged = new ArrayList<>();
  private int next;

  @BeforeEach
  void start() {
    dir.setCheckIndexOnClose(false);
    index = WinnowIndex.open(dir, "mock index");
    server =
        new WinnowServer(
                new FakeCrossEncoder(), ServerConfig.DEFAULTS.withPort(0), Optional.of(index))
            .start();
    url = server.baseUrl();
  }

  @AfterEach
  void stop() {
    server.shutdown(Duration.ofSeconds(2));
    index.close();
  }

  /** Posts 10 new documents; records their ids only on a 2xx. */
  private Http.Reply postBatch() {
    StringBuilder b = new StringBuilder("{\"documents\":[");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++, next++) {
      String id = "d" + next;
      ids.add(id);
      b.append(i == 0 ? "" : ",")
          .append("{\"id\":\"")
          .append(id)
          .append("\",\"text\":\"document ")
          .append(next)
          .append(" about cats, fish and the river in spring\"}");
    }
    Http.Reply r = Http.post(url + "/v1/documents", b.append("]}").toString());
    if (r.status() / 100 == 2) {
      acknowledged.addAll(ids);
    }
    return r;
  }

  private void assertAcknowledgedReadable() {
    for (String id : acknowledged) {
      assertThat(Http.get(url + "/v1/documents/" + id).status()).as(id).isEqualTo(200);
    }
  }

  @Test
  void documents_diskFull_answers507_readinessDegraded_resumesWhenSpaceFreed() throws Exception {
    assertThat(postBatch().status()).isEqualTo(200);
    dir.setMaxSizeInBytes(dir.sizeInBytes() + 8 * 1024);
    Http.Reply full = null;
    for (int i = 0; i < 100 && full == null; i++) {
      Http.Reply r = postBatch();
      if (r.status() != 200) {
        full = r;
      }
    }
    assertThat(full).as("the 8 KiB quota must run out").isNotNull();
    assertThat(full.status()).as(full.body()).isEqualTo(507);
    assertThat(full.json().get("message").asText()).contains("disk is full");
    assertThat(full.header("Retry-After")).isNotEmpty();
    Http.Reply ready = Http.get(url + "/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("status").asText()).isEqualTo("degraded");
    assertThat(ready.json().at("/index/writes").asText()).isEqualTo("disk_full");
    assertAcknowledgedReadable();
    assertThat(server.metrics().render()).doesNotContain("status=\"500\"");

    dir.setMaxSizeInBytes(0);
    assertThat(postBatch().status()).isEqualTo(200);
    assertThat(Http.get(url + "/ready").json().get("status").asText()).isEqualTo("ready");
    assertAcknowledgedReadable();
  }

  @Test
  void documents_ioError_answers503_thenSucceedsOnceTheDeviceRecovers() {
    assertThat(postBatch().status()).isEqualTo(200);
    dir.setRandomIOExceptionRate(1.0);
    Http.Reply failed = postBatch();
    assertThat(failed.status()).as(failed.body()).isEqualTo(503);
    assertThat(failed.json().get("message").asText()).contains("I/O error");
    assertThat(failed.header("Retry-After")).isEqualTo("1");
    assertThat(Http.get(url + "/ready").json().at("/index/writes").asText())
        .isEqualTo("write_failed");
    Http.Reply delete = Http.send("DELETE", url + "/v1/documents/d0", null);
    assertThat(delete.status()).as(delete.body()).isEqualTo(503);
    dir.setRandomIOExceptionRate(0);
    assertThat(postBatch().status()).isEqualTo(200);
    assertAcknowledgedReadable();
    assertThat(acknowledged).hasSize(20);
  }
}
