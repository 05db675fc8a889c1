package dev.winnow.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The OpenAPI document of this running server: the bundled description ({@code openapi.json}) with
 * the address it listens on, its limits ({@code maxItems} of every document list, the body limit)
 * and the statuses every route can answer beyond its own (405 with {@code Allow}, 401 when a key is
 * set, 408 and 413 where a body is read), and {@code HEAD} beside every {@code GET}. Built on the
 * first request (the port is known only once bound), then kept. Thread-safe.
 */
final class OpenApi {

  private final ObjectMapper mapper;
  private final ServerConfig config;
  private final Supplier<String> baseUrl;
  private volatile byte[] built;

  OpenApi(ObjectMapper mapper, ServerConfig config, Supplier<String> baseUrl) {
    this.mapper = mapper;
    this.config = config;
    this.baseUrl = baseUrl;
  }

  byte[] bytes() {
    byte[] b = built;
    if (b == null) {
      try {
        b = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(document());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot render the OpenAPI document", e);
      }
      built = b;
    }
    return b;
  }

  ObjectNode document() {
    ObjectNode root;
    try {
      root = (ObjectNode) mapper.readTree(WinnowServer.readResource("openapi.json"));
    } catch (IOException e) {
      throw new UncheckedIOException("the bundled openapi.json is not JSON", e);
    }
    root.putArray("servers").addObject().put("url", baseUrl.get());
    limits(root);
    ObjectNode paths = (ObjectNode) root.get("paths");
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      ObjectNode path = (ObjectNode) entry.getValue();
      List<String> methods = new ArrayList<>();
      path.fieldNames().forEachRemaining(methods::add);
      methods.retainAll(List.of("get", "post", "put", "patch", "delete"));
      if (path.has("get")) {
        ObjectNode head = path.putObject("head");
        head.put("summary", "The headers of GET, without a body (load balancers probe with HEAD)");
        head.set("responses", path.get("get").get("responses").deepCopy());
        methods.add("head");
      }
      String allow = String.join(", ", methods.stream().map(String::toUpperCase).sorted().toList());
      for (String m : methods) {
        ObjectNode responses = (ObjectNode) path.get(m).get("responses");
        error(
            responses,
            "405",
            "Method not allowed: this path answers " + allow + " (named in the Allow header).");
        if (config.apiKey().isPresent()
            && (!Route.of(name).operational || config.protectOperational())) {
          error(responses, "401", "Missing or invalid API key (Authorization: Bearer <key>).");
        }
        if (path.get(m).has("requestBody")) {
          error(
              responses,
              "408",
              "The request body stopped arriving, or arrived slower than "
                  + WinnowServer.MIN_BODY_BYTES_PER_SECOND
                  + " bytes/s.");
          limit(
              responses,
              "413",
              "The request body is over this server's limit of "
                  + config.maxBodyBytes()
                  + " bytes.");
        }
      }
    }
    return root;
  }

  /** Every document list's {@code maxItems} is this server's per-request limit. */
  private void limits(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.has("maxItems")) {
        o.put("maxItems", config.maxDocuments());
      }
      o.elements().forEachRemaining(this::limits);
    } else if (node.isArray()) {
      node.elements().forEachRemaining(this::limits);
    }
  }

  /** Like {@link #error}, but states this server's own figure over a generic description. */
  private static void limit(ObjectNode responses, String status, String description) {
    if (responses.get(status) instanceof ObjectNode existing) {
      existing.put("description", description);
    } else {
      responses.putObject(status).put("description", description);
    }
  }

  private static void error(ObjectNode responses, String status, String description) {
    if (!responses.has(status)) {
      responses.putObject(status).put("description", description);
    }
  }
}
