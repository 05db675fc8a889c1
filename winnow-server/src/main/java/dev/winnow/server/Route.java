package dev.winnow.server;

import java.util.Optional;
import java.util.Set;

/** The routes the server answers, their methods, their dialect and whether they need the key. */
enum Route {
  RERANK_V2("/v2/rerank", Set.of("POST"), Optional.of(Dialect.COHERE_V2), false),
  RERANK_V1("/v1/rerank", Set.of("POST"), Optional.of(Dialect.COHERE_V1), false),
  RERANK_TEI("/rerank", Set.of("POST"), Optional.of(Dialect.TEI), false),
  SEARCH("/v1/search", Set.of("POST"), Optional.empty(), false),
  DOCUMENTS("/v1/documents", Set.of("POST"), Optional.empty(), false),
  DOCUMENT("/v1/documents/{id}", Set.of("GET", "DELETE"), Optional.empty(), false),
  HEALTH("/health", Set.of("GET"), Optional.empty(), true),
  READY("/ready", Set.of("GET"), Optional.empty(), true),
  METRICS("/metrics", Set.of("GET"), Optional.empty(), true),
  INFO("/info", Set.of("GET"), Optional.empty(), false),
  OPENAPI("/openapi.json", Set.of("GET"), Optional.empty(), false),
  UNKNOWN("other", Set.of(), Optional.empty(), false);

  static final String DOCUMENT_PREFIX = "/v1/documents/";

  final String path;
  final Set<String> methods;
  final Optional<Dialect> dialect;

  /** Public unless the server was told to protect operational routes too. */
  final boolean operational;

  Route(String path, Set<String> methods, Optional<Dialect> dialect, boolean operational) {
    this.path = path;
    this.methods = methods;
    this.dialect = dialect;
    this.operational = operational;
  }

  static Route of(String path) {
    if (path.startsWith(DOCUMENT_PREFIX) && path.length() > DOCUMENT_PREFIX.length()) {
      return DOCUMENT;
    }
    String p =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    for (Route r : values()) {
      if (r != DOCUMENT && r.path.equals(p)) {
        return r;
      }
    }
    return UNKNOWN;
  }

  /** The {@code Allow} header value. */
  String allow() {
    return String.join(", ", methods.stream().sorted().toList());
  }

  /** The dialect whose error shape this route answers in: TEI for {@code /rerank}, else Cohere. */
  Dialect errorDialect() {
    return dialect.orElse(Dialect.COHERE_V2);
  }
}
