package dev.winnow.opensearch;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how Winnow talks to an OpenSearch cluster: the node URLs (several, so a search during a
 * node failure goes to another node), the index, its shard and replica counts, the per-request
 * timeout, and the bulk ingestion batch size and retry policy for HTTP 429 rejections.
 *
 * @param urls node URLs, {@code http} or {@code https}, without a path
 * @param index the index name, OpenSearch's rules (lower case, no {@code \ / * ? " < > | , #} or
 *     space, not starting with {@code - _ +})
 * @param shards primary shards; with more than one, BM25 statistics are gathered over all shards
 *     ({@code dfs_query_then_fetch}) so scores do not depend on how documents were spread
 * @param replicas replica copies of each shard
 * @param timeout the connect and response timeout of one request
 * @param batchSize documents per bulk request (and per encoder call)
 * @param maxRetries how often a bulk request, or the documents in it that were rejected with 429,
 *     are sent again before they count as failed
 * @param initialBackoff the wait before the first retry; it doubles with each retry, up to 30 s
 */
public record OpenSearchConfig(
    List<URI> urls,
    String index,
    int shards,
    int replicas,
    Duration timeout,
    int batchSize,
    int maxRetries,
    Duration initialBackoff) {

  public static final String DEFAULT_INDEX = "winnow";
  public static final int DEFAULT_BATCH_SIZE = 256;
  public static final int DEFAULT_MAX_RETRIES = 6;

  public OpenSearchConfig {
    urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("urls must name at least one OpenSearch node, got none");
    }
    for (URI u : urls) {
      checkUrl(u);
    }
    checkIndexName(index);
    if (shards < 1 || shards > 1024) {
      throw new IllegalArgumentException("shards must be in [1, 1024], got " + shards);
    }
    if (replicas < 0 || replicas > 16) {
      throw new IllegalArgumentException("replicas must be in [0, 16], got " + replicas);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (batchSize < 1 || batchSize > 10_000) {
      throw new IllegalArgumentException("batchSize must be in [1, 10000], got " + batchSize);
    }
    if (maxRetries < 0 || maxRetries > 20) {
      throw new IllegalArgumentException("maxRetries must be in [0, 20], got " + maxRetries);
    }
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException("initialBackoff must be >= 0, got " + initialBackoff);
    }
  }

  /**
   * The defaults for {@code urls} (comma-separated) and {@code index}: 1 shard, 0 replicas, 30 s
   * timeout, batches of {@value #DEFAULT_BATCH_SIZE}, {@value #DEFAULT_MAX_RETRIES} retries from
   * 200 ms.
   */
  public static OpenSearchConfig of(String urls, String index) {
    return new OpenSearchConfig(
        parseUrls(urls),
        index,
        1,
        0,
        Duration.ofSeconds(30),
        DEFAULT_BATCH_SIZE,
        DEFAULT_MAX_RETRIES,
        Duration.ofMillis(200));
  }

  public OpenSearchConfig withShards(int n) {
    return new OpenSearchConfig(
        urls, index, n, replicas, timeout, batchSize, maxRetries, initialBackoff);
  }

  public OpenSearchConfig withReplicas(int n) {
    return new OpenSearchConfig(
        urls, index, shards, n, timeout, batchSize, maxRetries, initialBackoff);
  }

  public OpenSearchConfig withIndex(String name) {
    return new OpenSearchConfig(
        urls, name, shards, replicas, timeout, batchSize, maxRetries, initialBackoff);
  }

  public OpenSearchConfig withTimeout(Duration t) {
    return new OpenSearchConfig(
        urls, index, shards, replicas, t, batchSize, maxRetries, initialBackoff);
  }

  public OpenSearchConfig withBatchSize(int n) {
    return new OpenSearchConfig(
        urls, index, shards, replicas, timeout, n, maxRetries, initialBackoff);
  }

  public OpenSearchConfig withRetries(int retries, Duration backoff) {
    return new OpenSearchConfig(
        urls, index, shards, replicas, timeout, batchSize, retries, backoff);
  }

  /** The URLs as a user wrote them, comma-separated, for messages. */
  public String describeUrls() {
    StringBuilder sb = new StringBuilder();
    for (URI u : urls) {
      sb.append(sb.length() == 0 ? "" : ",").append(u);
    }
    return sb.toString();
  }

  /**
   * Parses {@code http://h1:9200,http://h2:9200}: comma-separated node URLs, blanks around commas
   * ignored, a trailing slash allowed.
   */
  public static List<URI> parseUrls(String csv) {
    Objects.requireNonNull(csv, "urls");
    List<URI> out = new ArrayList<>();
    for (String part : csv.split(",", -1)) {
      String s = part.strip();
      if (s.isEmpty()) {
        throw new IllegalArgumentException(
            "opensearch-url must be comma-separated URLs like http://127.0.0.1:9200, got '"
                + csv
                + "' (an empty entry)");
      }
      String lower = s.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
        throw new IllegalArgumentException(
            "opensearch-url entry '" + s + "' must start with http:// or https://");
      }
      URI u;
      try {
        u = new URI(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(
            "opensearch-url entry '" + s + "' is not a URL: " + e.getMessage(), e);
      }
      checkUrl(u);
      out.add(u);
    }
    return List.copyOf(out);
  }

  private static void checkUrl(URI u) {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "opensearch-url entry '" + u + "' must start with http:// or https://");
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw new IllegalArgumentException(
          "opensearch-url entry '" + u + "' has no host; expected e.g. http://127.0.0.1:9200");
    }
    if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")) {
      throw new IllegalArgumentException(
          "opensearch-url entry '" + u + "' has a path; only scheme://host:port is supported");
    }
    if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "opensearch-url entry '"
              + u.getScheme()
              + "://"
              + u.getHost()
              + "...' must not carry credentials, a query or a fragment");
    }
  }

  private static void checkIndexName(String name) {
    String allowed =
        "lower case, at most 255 characters, none of \\ / * ? \" < > | , # : or space,"
            + " not starting with - _ +, not . or ..";
    boolean bad =
        name.isEmpty()
            || name.length() > 255
            || !name.equals(name.toLowerCase(Locale.ROOT))
            || name.equals(".")
            || name.equals("..")
            || "-_+".indexOf(name.charAt(0)) >= 0;
    for (int i = 0; !bad && i < name.length(); i++) {
      char c = name.charAt(i);
      bad = "\\/*?\"<>|,#: ".indexOf(c) >= 0 || Character.isWhitespace(c);
    }
    if (bad) {
      throw new IllegalArgumentException(
          "opensearch-index must be a valid index name (" + allowed + "), got '" + name + "'");
    }
  }
}
