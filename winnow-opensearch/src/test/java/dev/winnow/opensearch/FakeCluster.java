package dev.winnow.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process stand-in for one OpenSearch node on 127.0.0.1, just enough for ingestion: the index
 * exists with Winnow's layout, health is green, refresh and flush succeed, and each bulk request is
 * answered by a test-supplied {@link BulkAnswer}. Records the document ids of every bulk request.
 */
final class FakeCluster implements AutoCloseable {

  /**
   * Answers the {@code call}-th (0-based) bulk request for {@code ids}: an HTTP status and body.
   */
  interface BulkAnswer {
    Reply answer(int call, List<String> ids);
  }

  record Reply(int status, String body) {}

  static final String INDEX = "fake";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final BulkAnswer bulk;
  final List<List<String>> bulkCalls = new CopyOnWriteArrayList<>();

  FakeCluster(BulkAnswer bulk) throws IOException {
    this.bulk = bulk;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  OpenSearchConfig config() {
    return OpenSearchConfig.of(url(), INDEX).withRetries(3, java.time.Duration.ofMillis(1));
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (method.equals("HEAD") && path.equals("/" + INDEX)) {
        reply(ex, 200, "");
      } else if (method.equals("GET") && path.equals("/" + INDEX)) {
        String def =
            IndexLayout.createBody(1, 0, Optional.empty())
                .toString()
                .replace("\"settings\"", "\"s\"");
        reply(ex, 200, "{\"" + INDEX + "\":" + def.replace("\"s\"", "\"settings\"") + "}");
      } else if (path.startsWith("/_cluster/health")) {
        reply(ex, 200, "{\"status\":\"green\",\"unassigned_shards\":0}");
      } else if (path.endsWith("/_refresh") || path.endsWith("/_flush")) {
        reply(ex, 200, "{\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0}}");
      } else if (path.endsWith("/_bulk")) {
        List<String> ids = new ArrayList<>();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        for (String line : body.split("\n")) {
          JsonNode n = JSON.readTree(line);
          if (n.has("index")) {
            ids.add(n.path("index").path("_id").asText());
          }
        }
        int call = bulkCalls.size();
        bulkCalls.add(List.copyOf(ids));
        Reply r = bulk.answer(call, ids);
        reply(ex, r.status(), r.body());
      } else {
        reply(ex, 404, "{\"error\":{\"type\":\"fake\",\"reason\":\"no route " + path + "\"}}");
      }
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    if (ex.getRequestMethod().equals("HEAD") || bytes.length == 0) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** A bulk response: one item per id with the given status (an error object when not 2xx). */
  static String bulkResponse(List<String> ids, java.util.function.IntUnaryOperator statusOf) {
    StringBuilder sb = new StringBuilder("{\"took\":1,\"errors\":");
    boolean errors = false;
    StringBuilder items = new StringBuilder();
    for (int i = 0; i < ids.size(); i++) {
      int status = statusOf.applyAsInt(i);
      items.append(i == 0 ? "" : ",");
      items.append("{\"index\":{\"_index\":\"" + INDEX + "\",\"_id\":\"" + ids.get(i) + "\"");
      items.append(",\"status\":").append(status);
      if (status >= 300) {
        errors = true;
        String type = status == 429 ? "rejected_execution_exception" : "mapper_parsing_exception";
        items.append(
            ",\"error\":{\"type\":\""
                + type
                + "\",\"reason\":\"fake "
                + status
                + " for "
                + ids.get(i)
                + "\"}");
      } else {
        items.append(",\"result\":\"created\",\"_version\":1");
      }
      items.append("}}");
    }
    return sb.append(errors).append(",\"items\":[").append(items).append("]}").toString();
  }

  static String requestRejected() {
    return "{\"error\":{\"root_cause\":[],\"type\":\"rejected_execution_exception\","
        + "\"reason\":\"fake queue full\"},\"status\":429}";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
