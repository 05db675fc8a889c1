package dev.winnow.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The routes the server answers, their methods ({@code HEAD} is answered wherever {@code GET} is),
 * their dialect and whether they need the key. Routes are matched on the path as sent; a document
 * id is read from its raw path segment by {@link #documentId}.
 */
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
    List<String> all = new ArrayList<>(methods);
    if (methods.contains("GET")) {
      all.add("HEAD");
    }
    return String.join(", ", all.stream().sorted().toList());
  }

  /**
   * The document id of a {@link #DOCUMENT} path: the one raw segment after {@value
   * #DOCUMENT_PREFIX}, percent-decoded as UTF-8 ({@code +} is a plus sign). Any id that ingestion
   * accepts is addressable this way; a raw {@code /}, {@code ;} parameters of another segment or
   * dot segments never name another document.
   */
  static String documentId(String rawPath) {
    String segment = rawPath.substring(DOCUMENT_PREFIX.length());
    if (segment.indexOf('/') >= 0) {
      throw new ApiError(
          ApiError.Kind.NOT_FOUND,
          "no route for '"
              + Exchange.clip(rawPath)
              + "': a document id is one path segment; percent-encode '/' in an id as %2F");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c != '%') {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        continue;
      }
      int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
      int lo = hi < 0 ? -1 : Character.digit(segment.charAt(i + 2), 16);
      if (lo < 0) {
        throw ApiError.malformed(
            "document id '"
                + Exchange.clip(segment)
                + "' has a bad percent-escape at character "
                + i
                + "; allowed: %XX with two hex digits");
      }
      bytes.write(hi * 16 + lo);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiError.malformed(
          "document id '" + Exchange.clip(segment) + "' does not percent-decode to UTF-8");
    }
  }

  /** The dialect whose error shape this route answers in: TEI for {@code /rerank}, else Cohere. */
  Dialect errorDialect() {
    return dialect.orElse(Dialect.COHERE_V2);
  }
}
