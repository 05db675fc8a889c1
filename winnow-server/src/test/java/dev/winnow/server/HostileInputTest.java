package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.index.WinnowIndex;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sends hostile and mistaken requests to a server with the default limits and checks each status
 * and error shape. The table it builds is {@code docs/robustness.md}: the test fails when that file
 * differs from what the server does now ({@code -Dwinnow.updateDocs=true} rewrites it).
 */
class HostileInputTest {

  private static WinnowServer open;
  private static WinnowServer keyed;
  private static WinnowServer slow;
  private static WinnowIndex index;
  private static String url;
  private static String keyedUrl;

  @BeforeAll
  static void start() {
    index = WinnowIndex.inMemory();
    open =
        new WinnowServer(
                new FakeCrossEncoder(), ServerConfig.DEFAULTS.withPort(0), Optional.of(index))
            .start();
    // A 2 s request timeout bounds how long a stalled body may hold a handler thread.
    slow =
        new WinnowServer(
                new FakeCrossEncoder(),
                ServerConfig.DEFAULTS.withPort(0).withRequestTimeout(Duration.ofSeconds(2)))
            .start();
    keyed =
        new WinnowServer(
                new FakeCrossEncoder(),
                ServerConfig.DEFAULTS.withPort(0).withApiKey(Optional.of("test-key-123"), false))
            .start();
    url = open.baseUrl();
    keyedUrl = keyed.baseUrl();
  }

  @AfterAll
  static void stop() {
    open.close();
    keyed.close();
    slow.close();
    index.close();
  }

  /**
   * Sends {@code head} and {@code body}, then nothing more while keeping the connection open: the
   * server must answer (or close) on its own, within its read timeout, not hang.
   */
  private static Http.Reply stalled(int port, String head, String body) {
    long start = System.nanoTime();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body.getBytes(StandardCharsets.UTF_8));
      out.flush();
      byte[] all = s.getInputStream().readAllBytes();
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertThat(seconds).as("answered within the read timeout").isLessThan(15);
      String text = new String(all, StandardCharsets.UTF_8);
      if (text.isEmpty()) {
        return new Http.Reply(0, Map.of(), "{\"message\":\"connection closed, no answer\"}");
      }
      int code = Integer.parseInt(text.substring(0, text.indexOf("\r\n")).split(" ")[1]);
      int end = text.indexOf("\r\n\r\n");
      String rest = end < 0 ? "" : text.substring(end + 4);
      // A chunked answer: keep the JSON between the chunk framing.
      int brace = rest.indexOf('{');
      int close = rest.lastIndexOf('}');
      return new Http.Reply(code, Map.of(), brace < 0 ? rest : rest.substring(brace, close + 1));
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the server held a stalled request for 20 s without answering", e);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String repeatedKeys(int n) {
    StringBuilder sb = new StringBuilder(n * 10).append('{');
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append('"').append(Integer.toString(i, 36)).append("\":0");
    }
    return sb.append('}').toString();
  }

  private static String documents(int n) {
    StringBuilder sb = new StringBuilder("{\"documents\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"bulk").append(i).append("\",\"text\":\"t\"}");
    }
    return sb.append("]}").toString();
  }

  private record Case(String what, String route, int expected, Function<String, Http.Reply> send) {}

  private static Http.Reply post(String base, String path, String json) {
    return Http.post(base + path, json);
  }

  private static Http.Reply postBytes(String base, String path, byte[] body) {
    return Http.send("POST", base + path, body, "Content-Type", "application/json");
  }

  private static String docs(int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("\"d").append(i).append('"');
    }
    return sb.append(']').toString();
  }

  private static byte[] concat(String a, byte[] mid, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] z = b.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[x.length + mid.length + z.length];
    System.arraycopy(x, 0, out, 0, x.length);
    System.arraycopy(mid, 0, out, x.length, mid.length);
    System.arraycopy(z, 0, out, x.length + mid.length, z.length);
    return out;
  }

  private static Http.Reply chunked(String base, String path, long bytes) {
    byte[] big = new byte[(int) bytes];
    java.util.Arrays.fill(big, (byte) ' ');
    big[0] = '[';
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
            .build();
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
      return new Http.Reply(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      // The server may answer 413 and close before the whole body is sent.
      throw new AssertionError("no answer to an oversized chunked body: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<Case> cases() {
    String v2 = "/v2/rerank";
    String v1 = "/v1/rerank";
    String tei = "/rerank";
    String ok = "{\"query\":\"q\",\"documents\":[\"a\",\"b\"]";
    List<Case> c = new ArrayList<>();
    c.add(new Case("well-formed request", v2, 200, b -> post(b, v2, ok + "}")));
    c.add(
        new Case(
            "empty query", v2, 422, b -> post(b, v2, "{\"query\":\"\",\"documents\":[\"a\"]}")));
    c.add(
        new Case(
            "blank query", v1, 422, b -> post(b, v1, "{\"query\":\"  \",\"documents\":[\"a\"]}")));
    c.add(
        new Case("empty query", tei, 400, b -> post(b, tei, "{\"query\":\"\",\"texts\":[\"a\"]}")));
    c.add(new Case("missing query", v2, 422, b -> post(b, v2, "{\"documents\":[\"a\"]}")));
    c.add(
        new Case(
            "query is a number", v2, 422, b -> post(b, v2, "{\"query\":7,\"documents\":[\"a\"]}")));
    c.add(
        new Case(
            "empty documents", v2, 422, b -> post(b, v2, "{\"query\":\"q\",\"documents\":[]}")));
    c.add(new Case("empty texts", tei, 400, b -> post(b, tei, "{\"query\":\"q\",\"texts\":[]}")));
    c.add(
        new Case(
            "empty string document (scored)",
            v2,
            200,
            b -> post(b, v2, "{\"query\":\"q\",\"documents\":[\"\"]}")));
    c.add(
        new Case(
            "document is a number",
            v1,
            422,
            b -> post(b, v1, "{\"query\":\"q\",\"documents\":[1]}")));
    c.add(
        new Case(
            "document object without text",
            v1,
            422,
            b -> post(b, v1, "{\"query\":\"q\",\"documents\":[{\"title\":\"t\"}]}")));
    c.add(
        new Case(
            "object document on TEI",
            tei,
            422,
            b -> post(b, tei, "{\"query\":\"q\",\"texts\":[{\"text\":\"t\"}]}")));
    c.add(
        new Case(
            "1,000 documents (the limit)",
            v2,
            200,
            b -> post(b, v2, "{\"query\":\"q\",\"documents\":" + docs(1000) + "}")));
    c.add(
        new Case(
            "1,001 documents",
            v2,
            422,
            b -> post(b, v2, "{\"query\":\"q\",\"documents\":" + docs(1001) + "}")));
    c.add(
        new Case(
            "1,001 texts",
            tei,
            422,
            b -> post(b, tei, "{\"query\":\"q\",\"texts\":" + docs(1001) + "}")));
    c.add(
        new Case(
            "Content-Length over 8 MiB (body not sent)",
            v2,
            413,
            b ->
                Http.raw(
                    open.port(),
                    "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9000000\r\nConnection: close\r\n\r\n",
                    new byte[0])));
    c.add(new Case("chunked body over 8 MiB", v2, 413, b -> chunked(b, v2, 8L * 1024 * 1024 + 10)));
    c.add(
        new Case(
            "invalid UTF-8 (0xFF) in a string",
            v2,
            400,
            b ->
                postBytes(
                    b,
                    v2,
                    concat(
                        "{\"query\":\"", new byte[] {(byte) 0xff}, "\",\"documents\":[\"a\"]}"))));
    c.add(
        new Case(
            "overlong UTF-8 (0xC0 0xAF)",
            tei,
            400,
            b ->
                postBytes(
                    b,
                    tei,
                    concat(
                        "{\"query\":\"q\",\"texts\":[\"",
                        new byte[] {(byte) 0xc0, (byte) 0xaf},
                        "\"]}"))));
    c.add(
        new Case(
            "unpaired surrogate escape \\ud800",
            v2,
            422,
            b -> post(b, v2, "{\"query\":\"\\ud800\",\"documents\":[\"a\"]}")));
    c.add(
        new Case(
            "NUL and control characters in text (scored)",
            v2,
            200,
            b -> post(b, v2, "{\"query\":\"q\\u0000\\u0007\",\"documents\":[\"a\\u0000\"]}")));
    c.add(new Case("top_n NaN", v2, 400, b -> post(b, v2, ok + ",\"top_n\":NaN}")));
    c.add(new Case("top_n Infinity", v2, 400, b -> post(b, v2, ok + ",\"top_n\":Infinity}")));
    c.add(new Case("top_n 1e400", v2, 422, b -> post(b, v2, ok + ",\"top_n\":1e400}")));
    c.add(
        new Case(
            "number of 1,000 digits",
            v2,
            400,
            b -> post(b, v2, ok + ",\"top_n\":" + "9".repeat(1000) + "}")));
    c.add(new Case("top_n -1", v2, 422, b -> post(b, v2, ok + ",\"top_n\":-1}")));
    c.add(new Case("top_n 0", v1, 422, b -> post(b, v1, ok + ",\"top_n\":0}")));
    c.add(
        new Case("top_n 2^63", v2, 422, b -> post(b, v2, ok + ",\"top_n\":9223372036854775808}")));
    c.add(new Case("top_n \"3\" (a string)", v2, 422, b -> post(b, v2, ok + ",\"top_n\":\"3\"}")));
    c.add(new Case("top_n 2.5", v1, 422, b -> post(b, v1, ok + ",\"top_n\":2.5}")));
    c.add(
        new Case(
            "top_n 99 (more than documents: all returned)",
            v2,
            200,
            b -> post(b, v2, ok + ",\"top_n\":99}")));
    c.add(
        new Case(
            "max_tokens_per_doc 0", v2, 422, b -> post(b, v2, ok + ",\"max_tokens_per_doc\":0}")));
    c.add(
        new Case(
            "max_tokens_per_doc 1 (each document cut to one token)",
            v2,
            200,
            b -> post(b, v2, ok + ",\"max_tokens_per_doc\":1}")));
    c.add(
        new Case(
            "max_tokens_per_doc 10^12",
            v2,
            422,
            b -> post(b, v2, ok + ",\"max_tokens_per_doc\":1000000000000}")));
    c.add(
        new Case(
            "max_tokens_per_doc \"512\" (a string)",
            v1,
            422,
            b -> post(b, v1, ok + ",\"max_tokens_per_doc\":\"512\"}")));
    c.add(
        new Case(
            "max_chunks_per_doc 0", v1, 422, b -> post(b, v1, ok + ",\"max_chunks_per_doc\":0}")));
    c.add(
        new Case(
            "max_chunks_per_doc -1",
            v1,
            422,
            b -> post(b, v1, ok + ",\"max_chunks_per_doc\":-1}")));
    c.add(
        new Case(
            "max_chunks_per_doc 2^31",
            v1,
            422,
            b -> post(b, v1, ok + ",\"max_chunks_per_doc\":2147483648}")));
    c.add(
        new Case(
            "max_chunks_per_doc 2^31 - 1 (as many as the document has)",
            v1,
            200,
            b -> post(b, v1, ok + ",\"max_chunks_per_doc\":2147483647}")));
    c.add(
        new Case(
            "max_chunks_per_doc 1.5",
            v1,
            422,
            b -> post(b, v1, ok + ",\"max_chunks_per_doc\":1.5}")));
    c.add(
        new Case(
            "max_chunks_per_doc null (the default, 10)",
            v1,
            200,
            b -> post(b, v1, ok + ",\"max_chunks_per_doc\":null}")));
    c.add(
        new Case(
            "truncate \"no\"",
            tei,
            422,
            b -> post(b, tei, "{\"query\":\"q\",\"texts\":[\"a\"],\"truncate\":\"no\"}")));
    c.add(
        new Case(
            "truncate false, a text of 600 tokens (model maximum 512)",
            tei,
            422,
            b ->
                post(
                    b,
                    tei,
                    "{\"query\":\"q\",\"texts\":[\"a\",\""
                        + "w ".repeat(599)
                        + "w\"],\"truncate\":false}")));
    c.add(
        new Case(
            "truncate false, texts that fit",
            tei,
            200,
            b -> post(b, tei, "{\"query\":\"q\",\"texts\":[\"a\"],\"truncate\":false}")));
    c.add(
        new Case(
            "return_documents \"yes\"",
            v1,
            422,
            b -> post(b, v1, ok + ",\"return_documents\":\"yes\"}")));
    c.add(
        new Case(
            "rank_fields not an array",
            v1,
            422,
            b -> post(b, v1, ok + ",\"rank_fields\":\"text\"}")));
    c.add(
        new Case(
            "truncation_direction left (the text's end is kept)",
            tei,
            200,
            b ->
                post(
                    b,
                    tei,
                    "{\"query\":\"q\",\"texts\":[\"a\"],\"truncation_direction\":\"left\"}")));
    c.add(
        new Case(
            "raw_scores 1",
            tei,
            422,
            b -> post(b, tei, "{\"query\":\"q\",\"texts\":[\"a\"],\"raw_scores\":1}")));
    c.add(
        new Case(
            "nesting 10,000 deep",
            v2,
            400,
            b -> post(b, v2, "[".repeat(10_000) + "]".repeat(10_000))));
    c.add(
        new Case(
            "nesting 33 deep inside a document",
            v1,
            400,
            b ->
                post(
                    b,
                    v1,
                    "{\"query\":\"q\",\"documents\":[" + "[".repeat(33) + "]".repeat(33) + "]}")));
    c.add(
        new Case(
            "duplicate key",
            v2,
            400,
            b -> post(b, v2, "{\"query\":\"a\",\"query\":\"b\",\"documents\":[\"a\"]}")));
    c.add(new Case("not JSON", v2, 400, b -> post(b, v2, "query=cats")));
    c.add(new Case("trailing garbage after the object", v2, 400, b -> post(b, v2, ok + "} x")));
    c.add(new Case("empty body", tei, 400, b -> post(b, tei, "")));
    c.add(new Case("body is a JSON array", v2, 422, b -> post(b, v2, "[1,2]")));
    c.add(
        new Case(
            "Content-Type text/plain",
            v2,
            415,
            b ->
                Http.send(
                    "POST",
                    b + v2,
                    (ok + "}").getBytes(StandardCharsets.UTF_8),
                    "Content-Type",
                    "text/plain")));
    c.add(
        new Case(
            "Content-Type application/json; charset=latin1",
            tei,
            415,
            b ->
                Http.send(
                    "POST",
                    b + tei,
                    "{}".getBytes(StandardCharsets.UTF_8),
                    "Content-Type",
                    "application/json; charset=latin1")));
    c.add(new Case("GET on a rerank route", v2, 405, b -> Http.get(b + v2)));
    c.add(new Case("DELETE on a rerank route", tei, 405, b -> Http.send("DELETE", b + tei, null)));
    c.add(
        new Case(
            "POST /health", "/health", 405, b -> Http.send("POST", b + "/health", new byte[0])));
    c.add(new Case("unknown route", "/v3/rerank", 404, b -> post(b, "/v3/rerank", ok + "}")));
    c.add(
        new Case(
            "malformed request line",
            "(none)",
            400,
            b -> Http.raw(open.port(), "BLAH\r\n\r\n", new byte[0])));
    c.add(
        new Case(
            "missing API key (server with a key)", v2, 401, b -> post(keyedUrl, v2, ok + "}")));
    c.add(
        new Case(
            "wrong API key",
            tei,
            401,
            b ->
                Http.post(
                    keyedUrl + tei,
                    "{\"query\":\"q\",\"texts\":[\"a\"]}",
                    "Authorization",
                    "Bearer test-key-124")));
    c.add(
        new Case(
            "API key with Basic scheme",
            v1,
            401,
            b -> Http.post(keyedUrl + v1, ok + "}", "Authorization", "Basic test-key-123")));
    c.add(
        new Case(
            "right API key",
            v1,
            200,
            b -> Http.post(keyedUrl + v1, ok + "}", "Authorization", "Bearer test-key-123")));
    c.add(
        new Case(
            "/metrics without key (public by default)",
            "/metrics",
            200,
            b -> Http.get(keyedUrl + "/metrics")));
    c.addAll(issueSixCases());
    return c;
  }

  /** Durability and hostile-input cases: stalled bodies, odd text, huge JSON, auth, ingestion. */
  private static List<Case> issueSixCases() {
    String v2 = "/v2/rerank";
    String v1 = "/v1/rerank";
    String tei = "/rerank";
    String docsRoute = "/v1/documents";
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "lying Content-Length (100 declared, 10 sent, then silence)",
            v2,
            408,
            b ->
                stalled(
                    slow.port(),
                    "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n",
                    "{\"query\":1")));
    c.add(
        new Case(
            "chunked body that never ends",
            v2,
            408,
            b ->
                stalled(
                    slow.port(),
                    "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n",
                    "a\r\n{\"query\":1\r\n")));
    c.add(
        new Case(
            "lone surrogate as raw UTF-8 bytes (ED A0 80)",
            v1,
            400,
            b ->
                postBytes(
                    b,
                    v1,
                    concat(
                        "{\"query\":\"q\",\"documents\":[\"",
                        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                        "\"]}"))));
    c.add(
        new Case(
            "lone low surrogate escape \\udc00 in a text",
            tei,
            422,
            b -> post(b, tei, "{\"query\":\"q\",\"texts\":[\"a\\udc00\"]}")));
    c.add(
        new Case(
            "zero-width and RTL marks (scored)",
            v2,
            200,
            b ->
                post(
                    b,
                    v2,
                    "{\"query\":\"q\\u200b\\u200d\\ufeff\",\"documents\":"
                        + "[\"\\u202eabc\\u202c\\u200f\",\"\\u2066x\\u2069\"]}")));
    c.add(
        new Case(
            "100,000 combining marks in a document (scored)",
            v2,
            200,
            b ->
                post(
                    b,
                    v2,
                    "{\"query\":\"q\",\"documents\":[\"a" + "\u0301".repeat(100_000) + "\"]}")));
    c.add(
        new Case(
            "number of 5,000 digits",
            v1,
            400,
            b ->
                post(
                    b,
                    v1,
                    "{\"query\":\"q\",\"documents\":[\"a\"],\"top_n\":" + "7".repeat(5000) + "}")));
    c.add(
        new Case(
            "nesting 100,000 deep",
            v2,
            400,
            b -> post(b, v2, "[".repeat(100_000) + "]".repeat(100_000))));
    c.add(new Case("a million keys (9 MB)", v2, 413, b -> post(b, v2, repeatedKeys(1_000_000))));
    c.add(
        new Case("500,000 keys (within 8 MiB)", v2, 400, b -> post(b, v2, repeatedKeys(500_000))));
    c.add(
        new Case("50 MB of whitespace (chunked)", v2, 413, b -> chunked(b, v2, 50L * 1000 * 1000)));
    c.add(
        new Case(
            "API key in the query string",
            v2,
            401,
            b ->
                Http.post(
                    keyedUrl + v2 + "?api_key=test-key-123&key=test-key-123",
                    "{\"query\":\"q\",\"documents\":[\"a\"]}")));
    c.add(
        new Case(
            "oversized Authorization header (20 KB)",
            v2,
            431,
            b ->
                Http.raw(
                    keyed.port(),
                    "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + "k".repeat(20_000)
                        + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    new byte[0])));
    c.add(
        new Case(
            "ingest: duplicate ids in one batch (last wins)",
            docsRoute,
            200,
            b ->
                post(
                    b,
                    docsRoute,
                    "{\"documents\":[{\"id\":\"dup\",\"text\":\"first\"},"
                        + "{\"id\":\"dup\",\"text\":\"second\"}]}")));
    c.add(
        new Case(
            "ingest: empty document text",
            docsRoute,
            200,
            b -> post(b, docsRoute, "{\"documents\":[{\"id\":\"empty\",\"text\":\"\"}]}")));
    c.add(
        new Case(
            "ingest: a 40 KB single word",
            docsRoute,
            200,
            b ->
                post(
                    b,
                    docsRoute,
                    "{\"documents\":[{\"id\":\"long\",\"text\":\""
                        + "w".repeat(40_000)
                        + "\"}]}")));
    c.add(
        new Case(
            "ingest: an id of 40,000 bytes",
            docsRoute,
            422,
            b ->
                post(
                    b,
                    docsRoute,
                    "{\"documents\":[{\"id\":\"" + "i".repeat(40_000) + "\",\"text\":\"t\"}]}")));
    c.add(
        new Case(
            "ingest: 1,001 documents (over the bulk limit)",
            docsRoute,
            422,
            b -> post(b, docsRoute, documents(1001))));
    c.add(
        new Case(
            "ingest: documents is an object",
            docsRoute,
            422,
            b -> post(b, docsRoute, "{\"documents\":{\"id\":\"a\"}}")));
    c.add(
        new Case(
            "search: blank query",
            "/v1/search",
            422,
            b -> post(b, "/v1/search", "{\"query\":\" \"}")));
    c.addAll(issue14(docsRoute));
    return c;
  }

  /** The failures found by attacking {@code winnow serve} (issue 14), each fixed at its root. */
  private static List<Case> issue14(String docsRoute) {
    String one = "/v1/documents/{id}";
    String search = "/v1/search";
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "DELETE `a;b` beside `a`: only `a;b` is deleted",
            one,
            200,
            b -> {
              post(
                  b,
                  docsRoute,
                  "{\"documents\":[{\"id\":\"a\",\"text\":\"x\"},"
                      + "{\"id\":\"a;b\",\"text\":\"y\"}]}");
              Http.Reply r =
                  Http.raw(open.port(), rawRequest("DELETE", "/v1/documents/a;b"), new byte[0]);
              assertThat(r.json().get("deleted").asText()).isEqualTo("a;b");
              assertThat(Http.get(b + "/v1/documents/a").json().get("text").asText())
                  .isEqualTo("x");
              return r;
            }));
    c.add(
        new Case(
            "GET `a/../b` (dot segments never name another document)",
            one,
            404,
            b -> Http.raw(open.port(), rawRequest("GET", "/v1/documents/a/../b"), new byte[0])));
    String odd = "a b\"<[^`{|?#;%\\./x//y";
    c.add(
        new Case(
            "id with space, quote, `<[^{|?#;%\\`, `./` and `//`: GET percent-encoded",
            one,
            200,
            b -> {
              post(
                  b,
                  docsRoute,
                  "{\"documents\":[{\"id\":" + Http.JSON.valueToTree(odd) + ",\"text\":\"z\"}]}");
              String path =
                  "/v1/documents/"
                      + java.net.URLEncoder.encode(odd, StandardCharsets.UTF_8).replace("+", "%20");
              Http.Reply r = Http.raw(open.port(), rawRequest("GET", path), new byte[0]);
              assertThat(r.json().get("id").asText()).isEqualTo(odd);
              return r;
            }));
    c.add(
        new Case(
            "ingest: id `..`",
            docsRoute,
            422,
            b -> post(b, docsRoute, "{\"documents\":[{\"id\":\"..\",\"text\":\"t\"}]}")));
    c.add(
        new Case(
            "bad percent-escape in a document id",
            one,
            400,
            b -> Http.raw(open.port(), rawRequest("GET", "/v1/documents/a%zz"), new byte[0])));
    c.add(
        new Case(
            "Content-Length 8 MiB declared, one byte sent, then silence (holds one byte)",
            "/v2/rerank",
            408,
            b ->
                stalled(
                    slow.port(),
                    "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 8388608\r\n\r\n",
                    "{")));
    c.add(
        new Case(
            "2.8 million empty objects as documents (8 MiB)",
            "/v2/rerank",
            400,
            b -> {
              StringBuilder sb =
                  new StringBuilder(8_400_000).append("{\"query\":\"q\",\"documents\":[{}");
              while (sb.length() < 8_388_000) {
                sb.append(",{}");
              }
              return post(b, "/v2/rerank", sb.append("]}").toString());
            }));
    c.add(
        new Case(
            "search: top_n 4 over 5 MB documents (answer over 16 MiB)",
            search,
            422,
            b -> {
              String big = "w ".repeat(2_500_000);
              for (int i = 0; i < 4; i++) {
                post(
                    b,
                    docsRoute,
                    "{\"documents\":[{\"id\":\"big" + i + "\",\"text\":\"" + big + "\"}]}");
              }
              return post(b, search, "{\"query\":\"w\",\"top_n\":4,\"rerank\":false}");
            }));
    c.add(
        new Case(
            "search: the same without text",
            search,
            200,
            b ->
                post(
                    b,
                    search,
                    "{\"query\":\"w\",\"top_n\":4,\"rerank\":false,\"return_text\":false}")));
    c.add(
        new Case(
            "ingest: lone surrogate in a metadata key (refused by the parser)",
            docsRoute,
            400,
            b ->
                post(
                    b,
                    docsRoute,
                    "{\"documents\":[{\"id\":\"m\",\"text\":\"t\",\"metadata\":{\"k\\udc00\":\"v\"}}]}")));
    c.add(
        new Case(
            "ingest: lone surrogate in a metadata value",
            docsRoute,
            422,
            b ->
                post(
                    b,
                    docsRoute,
                    "{\"documents\":[{\"id\":\"m\",\"text\":\"t\",\"metadata\":{\"k\":\"\\udc00\"}}]}")));
    c.add(new Case("HEAD /health", "/health", 200, b -> Http.send("HEAD", b + "/health", null)));
    c.add(new Case("HEAD /metrics", "/metrics", 200, b -> Http.send("HEAD", b + "/metrics", null)));
    c.add(
        new Case(
            "Transfer-Encoding: gzip, chunked",
            "/v2/rerank",
            415,
            b ->
                Http.raw(
                    open.port(),
                    "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n",
                    "2\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))));
    c.add(
        new Case(
            "Content-Encoding: gzip",
            "/v2/rerank",
            415,
            b ->
                Http.send(
                    "POST",
                    b + "/v2/rerank",
                    new byte[] {31, -117, 8, 0},
                    "Content-Type",
                    "application/json",
                    "Content-Encoding",
                    "gzip")));
    c.add(
        new Case(
            "unknown route without the key (server with a key)",
            "/v3/rerank",
            401,
            b -> Http.post(keyedUrl + "/v3/rerank", "{}")));
    c.add(
        new Case(
            "wrong method without the key (server with a key)",
            "/v2/rerank",
            401,
            b -> Http.get(keyedUrl + "/v2/rerank")));
    return c;
  }

  private static String rawRequest(String method, String path) {
    return method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  }

  @Test
  void hostileInputs_getTheDocumentedStatusInTheirDialectsShape() throws IOException {
    StringBuilder table = new StringBuilder();
    table.append("| input | route | status | answer |\n| --- | --- | ---: | --- |\n");
    List<String> mismatches = new ArrayList<>();
    for (Case c : cases()) {
      Http.Reply r = c.send.apply(url);
      String answer = shape(c, r);
      if (r.status() != c.expected) {
        mismatches.add(
            c.what
                + " on "
                + c.route
                + ": expected "
                + c.expected
                + ", got "
                + r.status()
                + " "
                + r.body());
      }
      table
          .append("| ")
          .append(c.what.replace("|", "\\|"))
          .append(" | `")
          .append(c.route)
          .append("` | ")
          .append(r.status())
          .append(" | ")
          .append(answer.replace("|", "\\|"))
          .append(" |\n");
    }
    assertThat(mismatches).isEmpty();
    assertThat(open.metrics().render()).doesNotContain("status=\"500\"");

    Path docs = Paths.get("..", "docs", "robustness.md");
    // Everything from the marker on is written by hand (figures from the other tests) and kept.
    String kept = "";
    if (Files.exists(docs)) {
      String current = Files.readString(docs);
      int at = current.indexOf(HAND_WRITTEN);
      kept = at < 0 ? "" : "\n" + current.substring(at);
    }
    String doc = header() + table + kept;
    Path target = Paths.get("target", "robustness.md");
    Files.createDirectories(target.getParent());
    Files.writeString(target, doc);
    if (Boolean.getBoolean("winnow.updateDocs")) {
      Files.createDirectories(docs.getParent());
      Files.writeString(docs, doc);
    }
    assertThat(docs)
        .as(
            "docs/robustness.md is stale: compare with %s or rerun with -Dwinnow.updateDocs=true",
            target.toAbsolutePath())
        .exists();
    assertThat(Files.readString(docs)).isEqualTo(doc);
  }

  /** The error text in the dialect's shape, checked: Cohere {message}, TEI {error, error_type}. */
  private static String shape(Case c, Http.Reply r) {
    if (r.status() == 200) {
      return c.route.contains("rerank") ? "ranking" : "ok";
    }
    JsonNode j = r.json();
    if (c.route.equals("/rerank")) {
      assertThat(j.has("error") && j.has("error_type")).as(c.what + ": " + r.body()).isTrue();
      return "`error_type` " + j.get("error_type").asText() + ": " + clip(j.get("error").asText());
    }
    assertThat(j.has("message")).as(c.what + ": " + r.body()).isTrue();
    return clip(j.get("message").asText());
  }

  private static final String HAND_WRITTEN =
      "<!-- below: written by hand, kept by HostileInputTest -->";

  private static String clip(String s) {
    String one = s.replace("\n", " ").replace("\r", " ");
    return one.length() > 110 ? one.substring(0, 110) + "…" : one;
  }

  private static String header() {
    return """
        # Robustness: hostile and mistaken requests

        Produced by `winnow-server/src/test/java/dev/winnow/server/HostileInputTest.java` against a server
        with the default limits (1,000 documents, 8 MiB bodies, JSON nesting depth 32, numbers of at most
        64 characters); the test fails when this file no longer matches what the server answers
        (`./mvnw -pl winnow-server -am verify -Dwinnow.updateDocs=true` rewrites it).

        Rules: 400 for a body that is not well-formed (not UTF-8, not JSON, duplicate keys, JSON limits,
        more than 256 JSON tokens per allowed document, counted while parsing; at most one parse per
        core at a time, 503 with `Retry-After` after 2 s waiting for one); 422 for well-formed JSON
        that is not a valid request, and for a search whose answer would exceed twice the body limit;
        413 for a body over the limit, refused while reading and before any parsing or tokenizing (a
        body holds the bytes that arrived, never what `Content-Length` declares; the rest of the body,
        up to 256 MiB or 10 s, is read and discarded after the answer so that closing the connection
        cannot reset it before the client reads its 413); 415 for a non-JSON content type or a
        compressed body; 401 with `WWW-Authenticate: Bearer` for a missing or wrong key, checked
        before the route is looked up; 405 with `Allow` for a wrong method (`HEAD` is answered wherever
        `GET` is); 429 with `Retry-After` when the queue is full; 503 with `Retry-After` when not
        ready, draining or past the request deadline; 408 when a body stops arriving (a blocking read
        waits at most 10 s, or the request timeout when shorter, and a body slower than 1 KiB/s is cut
        off); 431 for headers over 16 KiB; on `/v1/documents`, 507 when the index's disk is full and
        503 on another I/O error, both with `Retry-After` and nothing committed. Document ids in
        `/v1/documents/{id}` are one raw path segment, percent-decoded. TEI's `/rerank` answers
        `{"error", "error_type"}` (400 `empty` for an empty query or text list, as TEI does); every
        other route answers Cohere's `{"message"}`. No input in this table produces a 500 (the test
        checks the metrics for it).

        """;
  }
}
