package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Abuse at scale: a thousand clients that disconnect while their rerank waits (nothing leaks: the
 * queue and the in-flight count go back to 0), and ten times the queue's capacity at once (the
 * excess is refused with 429 at once, never a 5xx, and health keeps answering).
 */
class ServerAbuseTest {

  private final FakeCrossEncoder fake = new FakeCrossEncoder();
  private WinnowServer server;

  @AfterEach
  void stop() {
    fake.release();
    if (server != null) {
      server.shutdown(Duration.ofSeconds(2));
    }
  }

  /** Like {@link WinnowServerTest#waitFor}, with room for a thousand connections on a busy box. */
  private void waitFor(Duration limit, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "condition not met within " + limit + "; metrics:\n" + server.metrics().render());
      }
      Thread.sleep(20);
    }
  }

  @Test
  void thousandClientsDisconnectingMidRerank_leakNoSlotAndNoQueuedPair() throws Exception {
    server = new WinnowServer(fake, ServerConfig.DEFAULTS.withPort(0)).start();
    String url = server.baseUrl();
    CountDownLatch held = fake.hold();
    CompletableFuture<Http.Reply> running =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"a\"]}"));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();

    int clients = 1000;
    byte[] json = "{\"query\":\"q\",\"documents\":[\"b\"]}".getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + json.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        Socket s = new Socket("127.0.0.1", server.port());
        sockets.add(s);
        OutputStream out = s.getOutputStream();
        out.write(head);
        out.write(json);
        out.flush();
      }
      waitFor(
          Duration.ofSeconds(60),
          () -> server.metrics().render().contains("winnow_queue_pairs " + clients + "\n"));
      assertThat(server.metrics().inFlight()).isEqualTo(clients + 1);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    waitFor(Duration.ofSeconds(60), () -> server.metrics().cancellations("disconnect") == clients);
    WinnowServerTest.waitFor(() -> server.metrics().inFlight() == 1);
    assertThat(server.metrics().render()).contains("winnow_queue_pairs 0\n");
    fake.release();
    assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    WinnowServerTest.waitFor(() -> server.metrics().inFlight() == 0);
    assertThat(fake.pairsScored.get()).as("no abandoned pair is scored").isEqualTo(1);
    assertThat(Http.post(url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"c\"]}").status())
        .isEqualTo(200);
    System.out.printf(
        "%d clients disconnected mid-rerank: queue back to 0 pairs, 0 requests in flight%n",
        clients);
  }

  @Test
  void tenTimesCapacity_excessGets429AtOnce_noServerError_healthAnswers() throws Exception {
    int queue = 256;
    server =
        new WinnowServer(fake, ServerConfig.DEFAULTS.withPort(0).withLimits(1000, 8 << 20, queue))
            .start();
    String url = server.baseUrl();
    CountDownLatch held = fake.hold();
    CompletableFuture<Http.Reply> first =
        CompletableFuture.supplyAsync(
            () -> Http.post(url + "/v2/rerank", "{\"query\":\"q\",\"documents\":[\"a\"]}"));
    assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();

    // 80 clients × 32 documents = 2,560 pairs: ten times what the queue holds.
    StringBuilder docs = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      docs.append(i == 0 ? "" : ",").append("\"doc ").append(i).append('"');
    }
    String body = "{\"query\":\"q\",\"documents\":[" + docs + "]}";
    ExecutorService pool = Executors.newFixedThreadPool(80);
    List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
    try {
      for (int i = 0; i < 80; i++) {
        replies.add(CompletableFuture.supplyAsync(() -> Http.post(url + "/v2/rerank", body), pool));
      }
      // Everything beyond the queue is answered while the model is still held.
      WinnowServerTest.waitFor(
          () -> replies.stream().filter(CompletableFuture::isDone).count() == 80 - queue / 32);
      assertThat(Http.get(url + "/health").status()).isEqualTo(200);
      fake.release();
      Map<Integer, Integer> statuses = new TreeMap<>();
      for (CompletableFuture<Http.Reply> r : replies) {
        statuses.merge(r.get(30, TimeUnit.SECONDS).status(), 1, Integer::sum);
      }
      assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(statuses).containsOnlyKeys(200, 429);
      assertThat(statuses.get(200)).isEqualTo(queue / 32);
      assertThat(server.metrics().render()).doesNotContain("status=\"5");
      WinnowServerTest.waitFor(() -> server.metrics().inFlight() == 0);
      System.out.printf("10x capacity: %s (status=count), no 5xx%n", statuses);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A client still sending an oversized body must read the 413, not "connection reset": closing a
   * socket with unread input resets it, and before {@link BodyDrain} about one try in ten lost its
   * answer that way. Both framings: a declared Content-Length and chunked.
   */
  @Test
  void oversizedBodies_alwaysReadTheir413_neverAReset() throws Exception {
    server = new WinnowServer(fake, ServerConfig.DEFAULTS.withPort(0)).start();
    URI uri = URI.create(server.baseUrl() + "/v2/rerank");
    byte[] big = new byte[24 * 1024 * 1024];
    Arrays.fill(big, (byte) ' ');
    big[0] = '[';
    HttpClient client = HttpClient.newHttpClient();
    List<String> lost = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      boolean chunked = i % 2 == 0;
      HttpRequest.BodyPublisher body =
          chunked
              ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))
              : HttpRequest.BodyPublishers.ofByteArray(big);
      HttpRequest request =
          HttpRequest.newBuilder(uri).header("Content-Type", "application/json").POST(body).build();
      String framing = chunked ? "chunked" : "content-length";
      try {
        int status = client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        if (status != 413) {
          lost.add("try " + i + " (" + framing + "): status " + status);
        }
      } catch (IOException e) {
        lost.add("try " + i + " (" + framing + "): " + e);
      }
    }
    assertThat(lost).isEmpty();
    assertThat(Http.get(server.baseUrl() + "/health").status()).isEqualTo(200);
  }
}
