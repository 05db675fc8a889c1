package dev.winnow.pipeline;

import dev.winnow.api.PassageWindow;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A bounded least-recently-used cache of cross-encoder verdicts, keyed by everything that decides a
 * logit: model, variant (e.g. {@code fp32}, {@code qint8}), query text, a SHA-256 of the document
 * text, the maximum length and the long-document strategy with its parameters. The activation is
 * not part of the key: the raw logit is cached and the activation applied on the way out.
 *
 * <p>Thread-safe: every access holds the cache's lock (a lookup is far cheaper than a model call).
 */
public final class PairScoreCache {

  /** What decides a cached logit. */
  public record Key(
      String model,
      String variant,
      String query,
      String documentSha256,
      int maxLength,
      String strategy) {
    public Key {
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(variant, "variant");
      Objects.requireNonNull(query, "query");
      Objects.requireNonNull(documentSha256, "documentSha256");
      Objects.requireNonNull(strategy, "strategy");
    }
  }

  /** A cached verdict: the raw logit and the window it came from, if the document was split. */
  public record Entry(double logit, Optional<PassageWindow> window) {}

  private final int capacity;
  private final LinkedHashMap<Key, Entry> map;
  private long hits;
  private long misses;

  public PairScoreCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("cache capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
    this.map =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
            return size() > PairScoreCache.this.capacity;
          }
        };
  }

  public synchronized Optional<Entry> get(Key key) {
    Entry e = map.get(key);
    if (e == null) {
      misses++;
      return Optional.empty();
    }
    hits++;
    return Optional.of(e);
  }

  public synchronized void put(Key key, Entry entry) {
    map.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(entry, "entry"));
  }

  public synchronized int size() {
    return map.size();
  }

  public synchronized long hits() {
    return hits;
  }

  public synchronized long misses() {
    return misses;
  }

  /** The lower-case hex SHA-256 of {@code text} in UTF-8. */
  public static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
