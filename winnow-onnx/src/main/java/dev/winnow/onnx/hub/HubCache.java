package dev.winnow.onnx.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The hub cache on disk, in the layout {@code huggingface_hub} writes, so both share it:
 *
 * <pre>
 * CACHE/models--ORG--NAME/blobs/ETAG                       the bytes, named by their etag
 *                        /snapshots/COMMIT/PATH           relative symlink to ../../blobs/ETAG
 *                        /refs/REVISION                   the COMMIT the revision pointed to
 * </pre>
 *
 * <p>Every write is atomic: a blob is streamed to a temporary file in {@code blobs/}, forced to
 * disk, checked (size, and sha256 when the etag is one) and only then renamed to its etag; links
 * and refs are also renamed into place. A failed or interrupted download therefore never leaves a
 * blob, link or ref behind (a process killed mid-download leaves an {@code *.incomplete} file,
 * never read, and removed by a later download once a day old). Concurrent writers (threads or
 * processes) of the same model write the same bytes under unique temporary names, so the last
 * rename wins harmlessly.
 */
final class HubCache {

  /** A git commit id (sha1 or sha256). */
  static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  /** A sha256 in hex: the etag of a Git LFS file, which lets us verify the bytes. */
  static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** An etag usable as a file name. */
  static final Pattern ETAG = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

  /** How old an unfinished download must be to count as abandoned. */
  static final Duration ABANDONED = Duration.ofDays(1);

  private final Path root;

  HubCache(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  Path repo(ModelId id) {
    return root.resolve(id.cacheFolder());
  }

  Path snapshot(ModelId id, String commit) {
    return repo(id).resolve("snapshots").resolve(commit);
  }

  /** The commit {@code id.revision()} resolves to in the cache, if known. */
  Optional<String> commitOf(ModelId id) {
    String revision = id.revision();
    if (COMMIT.matcher(revision).matches() && Files.isDirectory(snapshot(id, revision))) {
      return Optional.of(revision);
    }
    Path ref = repo(id).resolve("refs").resolve(revision);
    if (!Files.isRegularFile(ref)) {
      return Optional.empty();
    }
    try {
      String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
      return COMMIT.matcher(commit).matches() ? Optional.of(commit) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read hub cache ref " + ref, e);
    }
  }

  /** Records that {@code id.revision()} is {@code commit} (nothing to record for a commit id). */
  void writeRef(ModelId id, String commit) throws IOException {
    if (id.revision().equals(commit)) {
      return;
    }
    Path ref = repo(id).resolve("refs").resolve(id.revision());
    Files.createDirectories(ref.getParent());
    Path tmp = ref.resolveSibling("." + ref.getFileName() + "." + random() + ".tmp");
    try {
      Files.writeString(tmp, commit, StandardCharsets.UTF_8);
      Files.move(tmp, ref, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The blob for {@code etag} if it is cached with {@code size} bytes ({@code -1}: any size). */
  Optional<Path> blob(ModelId id, String etag, long size) throws IOException {
    Path blob = repo(id).resolve("blobs").resolve(etag);
    if (Files.isRegularFile(blob) && (size < 0 || Files.size(blob) == size)) {
      return Optional.of(blob);
    }
    return Optional.empty();
  }

  /**
   * Streams {@code body} into {@code blobs/etag}, atomically. Throws, leaving nothing behind, when
   * the stream fails or ends early, the size differs from {@code size} (when {@code >= 0}), or the
   * sha256 differs from a 64-hex {@code etag}. {@code what} names the file in messages.
   */
  Path store(ModelId id, String etag, long size, InputStream body, String what) {
    Path blobs = repo(id).resolve("blobs");
    Path tmp = null;
    long written = 0;
    boolean done = false;
    try (InputStream in = body) {
      Files.createDirectories(blobs);
      removeAbandoned(blobs);
      tmp = Files.createTempFile(blobs, etag + ".", ".incomplete");
      MessageDigest sha256 = sha256();
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        byte[] chunk = new byte[1 << 16];
        for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
          written += n;
          if (size >= 0 && written > size) {
            throw new HubException(
                what + " of " + id + ": the hub sent more than the announced " + size + " bytes");
          }
          sha256.update(chunk, 0, n);
          ByteBuffer buf = ByteBuffer.wrap(chunk, 0, n);
          while (buf.hasRemaining()) {
            out.write(buf);
          }
        }
        out.force(true);
      }
      if (size >= 0 && written != size) {
        throw new HubException(
            what + " of " + id + " was cut off: got " + written + " of " + size + " bytes");
      }
      String actual = HexFormat.of().formatHex(sha256.digest());
      if (SHA256.matcher(etag).matches() && !actual.equals(etag)) {
        throw new HubException(
            what
                + " of "
                + id
                + " failed its checksum: the hub announced sha256 "
                + etag
                + ", the bytes have "
                + actual
                + "; the download was discarded");
      }
      Path blob = blobs.resolve(etag);
      Files.move(tmp, blob, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(blobs);
      done = true;
      return blob;
    } catch (IOException e) {
      throw new HubException(
          "download of "
              + what
              + " of "
              + id
              + (size >= 0 && written < size ? " was cut off after " : " failed after ")
              + written
              + (size >= 0 ? " of " + size : "")
              + " bytes ("
              + e
              + "); nothing was kept",
          e);
    } finally {
      if (!done && tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: an *.incomplete file is never read as a blob
        }
      }
    }
  }

  /**
   * Makes {@code snapshots/commit/path} point at {@code blob}: a relative symlink, or a copy where
   * the file system refuses symlinks.
   */
  void link(ModelId id, String commit, String path, Path blob) throws IOException {
    Path target = snapshot(id, commit).resolve(path);
    Files.createDirectories(target.getParent());
    Path relative = target.getParent().relativize(blob);
    if (Files.isSymbolicLink(target) && Files.readSymbolicLink(target).equals(relative)) {
      return;
    }
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + random() + ".tmp");
    try {
      try {
        Files.createSymbolicLink(tmp, relative);
      } catch (UnsupportedOperationException | FileSystemException noLinks) {
        Files.copy(blob, tmp);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Deletes {@code *.incomplete} files older than {@link #ABANDONED}: left by a process that was
   * killed mid-download (a failure inside this JVM deletes its own at once).
   */
  private static void removeAbandoned(Path blobs) throws IOException {
    FileTime cutoff = FileTime.from(Instant.now().minus(ABANDONED));
    try (DirectoryStream<Path> s = Files.newDirectoryStream(blobs, "*.incomplete")) {
      for (Path p : s) {
        try {
          if (Files.getLastModifiedTime(p).compareTo(cutoff) < 0) {
            Files.deleteIfExists(p);
          }
        } catch (IOException ignored) {
          // another process may be removing it too
        }
      }
    }
  }

  private static String random() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // not every platform can sync a directory; the blob itself is already on disk
    }
  }
}
