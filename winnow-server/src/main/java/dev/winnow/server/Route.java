package dev.winnow.server;

import java.util.Optional;

/** The routes the server answers, their method, their dialect and whether they need the key. */
enum Route {
  RERANK_V2("/v2/rerank", "POST", Optional.of(Dialect.COHERE_V2), false),
  RERANK_V1("/v1/rerank", "POST", Optional.of(Dialect.COHERE_V1), false),
  RERANK_TEI("/rerank", "POST", Optional.of(Dialect.TEI), false),
  HEALTH("/health", "GET", Optional.empty(), true),
  READY("/ready", "GET", Optional.empty(), true),
  METRICS("/metrics", "GET", Optional.empty(), true),
  INFO("/info", "GET", Optional.empty(), false),
  OPENAPI("/openapi.json", "GET", Optional.empty(), false),
  UNKNOWN("other", "", Optional.empty(), false);

  final String path;
  final String method;
  final Optional<Dialect> dialect;

  /** Public unless the server was told to protect operational routes too. */
  final boolean operational;

  Route(String path, String method, Optional<Dialect> dialect, boolean operational) {
    this.path = path;
    this.method = method;
    this.dialect = dialect;
    this.operational = operational;
  }

  static Route of(String path) {
    String p =
        path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    for (Route r : values()) {
      if (r.path.equals(p)) {
        return r;
      }
    }
    return UNKNOWN;
  }

  /** The dialect whose error shape this route answers in: TEI for {@code /rerank}, else Cohere. */
  Dialect errorDialect() {
    return dialect.orElse(Dialect.COHERE_V2);
  }
}
