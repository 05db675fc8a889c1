package dev.winnow.eval;

import dev.winnow.api.Encoder;
import dev.winnow.index.IndexInfo;
import dev.winnow.index.IngestResult;
import dev.winnow.index.WinnowIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * Indexes built for evaluation, kept under a cache root and keyed by the corpus file (absolute
 * path, size, modification time), the index format and the vector model, so a second evaluation of
 * the same dataset reuses the first one's index. A cache entry is built in a private temporary
 * directory and moved into place atomically, so concurrent evaluations never see half an index.
 */
public final class IndexCache {

  /** An opened index and, when it was built now, how the build went. */
  public record Opened(WinnowIndex index, Path path, Optional<IngestResult> built) {}

  /**
   * Part of every key with vectors: raised when the bundled encoders start producing different
   * vectors for the same text, so an index embedded by an earlier Winnow is not reused. 2: fused
   * kernels and one-length batches (int8 bge-small vectors moved by 1 - cos ~1e-3).
   */
  static final int ENCODER_REVISION = 2;

  private IndexCache() {}

  /**
   * The cache of this user: {@code -Dwinnow.cache}, else {@code $XDG_CACHE_HOME/winnow}, else
   * {@code ~/.cache/winnow}; plus {@code indexes}. Never a directory shared by every user.
   */
  public static Path defaultRoot() {
    return cacheHome(
            System.getProperty("winnow.cache"),
            System.getenv("XDG_CACHE_HOME"),
            System.getProperty("user.home"))
        .resolve("indexes");
  }

  /** The XDG base-directory rule: a relative or empty {@code XDG_CACHE_HOME} is ignored. */
  static Path cacheHome(String configured, String xdgCacheHome, String userHome) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    if (xdgCacheHome != null && !xdgCacheHome.isBlank() && Path.of(xdgCacheHome).isAbsolute()) {
      return Path.of(xdgCacheHome, "winnow");
    }
    return Path.of(userHome, ".cache", "winnow");
  }

  /**
   * Opens the index at {@code dir} when it holds one, or builds it there from {@code corpus}
   * (encoding documents when {@code encoder} is given).
   */
  public static Opened openOrBuildAt(
      Path dir, Path corpus, Optional<Encoder> encoder, LongConsumer progress) {
    if (Files.isDirectory(dir) && !isEmpty(dir)) {
      return new Opened(WinnowIndex.openExisting(dir), dir, Optional.empty());
    }
    WinnowIndex index = WinnowIndex.open(dir);
    try {
      IngestResult r = index.ingest(corpus, encoder, batchSize(encoder), progress);
      return new Opened(index, dir, Optional.of(r));
    } catch (RuntimeException e) {
      index.close();
      throw e;
    }
  }

  /** Opens the cached index of {@code corpus} under {@code root}, building it on first use. */
  public static Opened openOrBuild(
      Path root, Path corpus, Optional<Encoder> encoder, LongConsumer progress) {
    Path dir = root.resolve(key(corpus, encoder.map(Encoder::name)));
    if (Files.isDirectory(dir)) {
      return new Opened(WinnowIndex.openExisting(dir), dir, Optional.empty());
    }
    try {
      Files.createDirectories(root);
      Path tmp = Files.createTempDirectory(root, dir.getFileName() + ".building-");
      IngestResult built;
      try {
        try (WinnowIndex index = WinnowIndex.open(tmp)) {
          built = index.ingest(corpus, encoder, batchSize(encoder), progress);
        }
        try {
          Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          // Another evaluation finished the same entry first: use theirs.
          if (!Files.isDirectory(dir)) {
            throw e;
          }
          deleteTree(tmp);
          built = null;
        }
      } catch (IOException | RuntimeException e) {
        deleteTree(tmp);
        throw e;
      }
      return new Opened(WinnowIndex.openExisting(dir), dir, Optional.ofNullable(built));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the cached index " + dir, e);
    }
  }

  /** The cache key: a readable prefix and a hash of what determines the index's content. */
  static String key(Path corpus, Optional<String> vectorModel) {
    try {
      Path abs = corpus.toAbsolutePath().normalize();
      String identity =
          abs
              + "|"
              + Files.size(abs)
              + "|"
              + Files.getLastModifiedTime(abs).toMillis()
              + "|format="
              + IndexInfo.FORMAT_VERSION
              + "|vectors="
              + vectorModel.map(m -> m + "@" + ENCODER_REVISION).orElse("-");
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      Path parent = abs.getParent();
      String name = parent == null ? "corpus" : parent.getFileName().toString();
      return name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("corpus file " + corpus + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + corpus, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static int batchSize(Optional<Encoder> encoder) {
    return encoder.isPresent() ? 32 : 1000;
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
