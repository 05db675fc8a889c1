package dev.winnow.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Models that ship inside Winnow (the {@code dev.winnow:winnow-models} jar), addressed by ids such
 * as {@code winnow/minilm-l6-scifact-ce} wherever a model is taken, before any hub lookup. A
 * bundled model is a model folder kept as classpath resources under {@code winnow-models/NAME/}
 * with a {@code files.txt} index (one {@code sha256 path} a line); on first use it is copied to the
 * user's cache ({@code $XDG_CACHE_HOME/winnow/bundled}, else {@code ~/.cache/winnow/bundled}) under
 * a name that carries the index's hash, every file checked against its sha256, and the folder
 * renamed into place only when complete.
 *
 * <p>Thread-safe: concurrent first uses race on the final rename and the loser uses the winner's.
 */
public final class BundledModels {

  /** A bundled model: its id, and what it is in one line. */
  public record Bundled(String id, String description) {
    String name() {
      return id.substring(PREFIX.length());
    }
  }

  /** The prefix of every bundled id. */
  public static final String PREFIX = "winnow/";

  /** The cross-encoder trained by Winnow on SciFact train, int8. */
  public static final Bundled SCIFACT_CE =
      new Bundled(
          "winnow/minilm-l6-scifact-ce",
          "cross-encoder trained by winnow train from all-MiniLM-L6-v2 on SciFact train, int8");

  private static final List<Bundled> ALL = List.of(SCIFACT_CE);

  private BundledModels() {}

  /** The bundled models whose files are on the classpath. */
  public static List<Bundled> available() {
    List<Bundled> out = new ArrayList<>();
    for (Bundled b : ALL) {
      if (resourceUrl(b.name(), "files.txt") != null) {
        out.add(b);
      }
    }
    return out;
  }

  /** Whether {@code ref} names a bundled model (present or not). */
  public static boolean isBundledId(String ref) {
    return ALL.stream().anyMatch(b -> b.id().equals(ref.toLowerCase(Locale.ROOT)));
  }

  /**
   * The folder of bundled model {@code ref}, copied to the cache on first use; empty when {@code
   * ref} is no bundled id.
   *
   * @throws IllegalStateException when the id is bundled but its jar is not on the classpath
   */
  public static Optional<Path> folder(String ref) {
    Optional<Bundled> bundled =
        ALL.stream().filter(b -> b.id().equals(ref.toLowerCase(Locale.ROOT))).findFirst();
    if (bundled.isEmpty()) {
      return Optional.empty();
    }
    String name = bundled.get().name();
    byte[] index = resource(name, "files.txt");
    Path root = cacheRoot();
    Path dir = root.resolve(name + "-" + sha256(index).substring(0, 16));
    if (Files.isDirectory(dir)) {
      return Optional.of(dir);
    }
    try {
      Files.createDirectories(root);
      Path tmp = Files.createTempDirectory(root, name + ".copying-");
      try {
        for (String line : new String(index, StandardCharsets.UTF_8).split("\n")) {
          if (line.isBlank()) {
            continue;
          }
          String[] parts = line.trim().split(" +", 2);
          byte[] bytes = resource(name, parts[1]);
          if (!sha256(bytes).equals(parts[0])) {
            throw new IllegalStateException(
                "bundled model "
                    + ref
                    + ": "
                    + parts[1]
                    + " does not match its sha256 in files.txt");
          }
          Path target = tmp.resolve(parts[1]).normalize();
          if (!target.startsWith(tmp)) {
            throw new IllegalStateException("bundled model " + ref + ": bad path " + parts[1]);
          }
          Files.createDirectories(target.getParent());
          Files.write(target, bytes);
        }
        try {
          Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          if (!Files.isDirectory(dir)) {
            throw e;
          }
        }
      } finally {
        deleteQuietly(tmp);
      }
      return Optional.of(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot copy bundled model " + ref + " to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** {@code $XDG_CACHE_HOME/winnow/bundled}, else {@code ~/.cache/winnow/bundled}. */
  static Path cacheRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("winnow").resolve("bundled");
  }

  private static java.net.URL resourceUrl(String name, String file) {
    return BundledModels.class.getClassLoader().getResource("winnow-models/" + name + "/" + file);
  }

  private static byte[] resource(String name, String file) {
    try (InputStream in =
        BundledModels.class
            .getClassLoader()
            .getResourceAsStream("winnow-models/" + name + "/" + file)) {
      if (in == null) {
        throw new IllegalStateException(
            "bundled model winnow/"
                + name
                + " is not on the classpath (missing winnow-models/"
                + name
                + "/"
                + file
                + "): add the dev.winnow:winnow-models jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled resource " + file, e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (var s = Files.walk(p)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temporary folder costs disk only
    }
  }
}
