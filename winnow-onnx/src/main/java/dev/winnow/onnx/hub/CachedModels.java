package dev.winnow.onnx.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * What the hub cache holds ({@link HubCache}'s layout, shared with {@code huggingface_hub}): one
 * {@link Entry} per downloaded snapshot, and removal of a model or of one of its revisions.
 *
 * <p>Not thread-safe against concurrent pulls of the model being removed; removal itself renames
 * the model's folder away before deleting it, so a reader never sees half a model.
 */
public final class CachedModels {

  /**
   * One snapshot in the cache.
   *
   * @param id the model, at {@code main} when no ref names the snapshot
   * @param revisions the refs pointing at it (e.g. {@code main}); empty when none
   * @param commit the snapshot's commit
   * @param path the snapshot folder
   * @param bytes the size of its files (shared blobs counted in each snapshot that has them)
   * @param kind what {@code config.json} says the model is: cross-encoder, bi-encoder,
   *     late-interaction (ColBERT) or unknown
   * @param onnxFiles its ONNX files, relative to {@code path}
   */
  public record Entry(
      ModelId id,
      List<String> revisions,
      String commit,
      Path path,
      long bytes,
      String kind,
      List<String> onnxFiles) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "models--";

  private final HubCache cache;

  public CachedModels(HubConfig config) {
    this.cache = new HubCache(config.cacheDir());
  }

  /** The cache folder. */
  public Path root() {
    return cache.root();
  }

  /** Every snapshot in the cache, by model id then commit. */
  public List<Entry> list() {
    List<Entry> out = new ArrayList<>();
    if (!Files.isDirectory(cache.root())) {
      return out;
    }
    for (Path repo : children(cache.root())) {
      parse(repo.getFileName().toString()).ifPresent(id -> out.addAll(snapshots(id)));
    }
    out.sort(Comparator.comparing((Entry e) -> e.id().repo()).thenComparing(Entry::commit));
    return out;
  }

  /**
   * Removes {@code id} from the cache: the whole model when {@code wholeModel}, else the snapshot
   * its revision points at, that revision's refs and the blobs no other snapshot links to.
   *
   * @return what was removed, for the user
   * @throws IllegalArgumentException when the model or revision is not in the cache
   */
  public String remove(ModelId id, boolean wholeModel) {
    Path repo = cache.repo(id);
    if (!Files.isDirectory(repo)) {
      throw new IllegalArgumentException(
          "model "
              + id.repo()
              + " is not in the hub cache "
              + cache.root()
              + "; `winnow models list` shows what is");
    }
    try {
      if (wholeModel) {
        Path away =
            repo.resolveSibling(
                "." + repo.getFileName() + ".removing-" + ThreadLocalRandom.current().nextInt());
        Files.move(repo, away, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(away);
        return "removed " + id.repo() + " (" + repo + ")";
      }
      Optional<String> commit = cache.commitOf(id);
      if (commit.isEmpty()) {
        throw new IllegalArgumentException(
            "model "
                + id
                + " is not in the hub cache "
                + cache.root()
                + ": no snapshot for revision '"
                + id.revision()
                + "'; `winnow models list` shows what is");
      }
      for (String ref : refsTo(id, commit.get())) {
        Files.deleteIfExists(repo.resolve("refs").resolve(ref));
      }
      deleteTree(cache.snapshot(id, commit.get()));
      removeUnlinkedBlobs(repo);
      if (children(repo.resolve("snapshots")).isEmpty()) {
        deleteTree(repo);
      }
      return "removed " + id.repo() + " snapshot " + commit.get();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + id + " from " + repo + ": " + e, e);
    }
  }

  private List<Entry> snapshots(ModelId id) {
    List<Entry> out = new ArrayList<>();
    for (Path snapshot : children(cache.repo(id).resolve("snapshots"))) {
      String commit = snapshot.getFileName().toString();
      List<String> refs = refsTo(id, commit);
      ModelId shown = id.atRevision(refs.isEmpty() ? commit : refs.get(0));
      List<String> onnx = new ArrayList<>();
      long bytes = 0;
      for (Path f : files(snapshot)) {
        try {
          bytes += Files.size(f);
        } catch (IOException e) {
          continue; // a dangling link: an unfinished pull; counted as absent
        }
        if (f.getFileName().toString().endsWith(".onnx")) {
          onnx.add(snapshot.relativize(f).toString());
        }
      }
      onnx.sort(null);
      out.add(new Entry(shown, refs, commit, snapshot, bytes, kind(snapshot), onnx));
    }
    return out;
  }

  /** The refs (revision names) of {@code id} that point at {@code commit}. */
  private List<String> refsTo(ModelId id, String commit) {
    Path refs = cache.repo(id).resolve("refs");
    List<String> out = new ArrayList<>();
    for (Path ref : files(refs)) {
      try {
        if (Files.readString(ref, StandardCharsets.UTF_8).strip().equals(commit)) {
          out.add(refs.relativize(ref).toString());
        }
      } catch (IOException e) {
        // an unreadable ref names nothing
      }
    }
    out.sort(Comparator.comparing((String r) -> !r.equals(ModelId.DEFAULT_REVISION)));
    return out;
  }

  /** What {@code config.json} says the model is. */
  static String kind(Path snapshot) {
    if (Files.isRegularFile(snapshot.resolve("artifact.metadata"))) {
      return "late-interaction (ColBERT)";
    }
    Path config = snapshot.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      return "unknown (no config.json)";
    }
    JsonNode c;
    try {
      c = JSON.readTree(config.toFile());
    } catch (IOException e) {
      return "unknown (config.json unreadable)";
    }
    Set<String> architectures = new HashSet<>();
    c.path("architectures").forEach(a -> architectures.add(a.asText()));
    if (architectures.stream().anyMatch(a -> a.contains("ColBERT"))) {
      return "late-interaction (ColBERT)";
    }
    if (architectures.stream().anyMatch(a -> a.endsWith("ForSequenceClassification"))) {
      return "cross-encoder";
    }
    if (Files.isRegularFile(snapshot.resolve("modules.json"))
        || Files.isRegularFile(snapshot.resolve("config_sentence_transformers.json"))
        || architectures.stream().anyMatch(a -> a.endsWith("Model"))) {
      return "bi-encoder";
    }
    return architectures.isEmpty()
        ? "unknown"
        : "unknown (" + String.join(", ", architectures.stream().sorted().toList()) + ")";
  }

  /** Blobs no snapshot link resolves to any more. */
  private static void removeUnlinkedBlobs(Path repo) throws IOException {
    Set<Path> linked = new HashSet<>();
    for (Path f : files(repo.resolve("snapshots"))) {
      if (Files.isSymbolicLink(f)) {
        linked.add(f.getParent().resolve(Files.readSymbolicLink(f)).normalize());
      }
    }
    for (Path blob : files(repo.resolve("blobs"))) {
      if (!linked.contains(blob.normalize())) {
        Files.deleteIfExists(blob);
      }
    }
  }

  /** {@code models--ORG--NAME} as an id, if the folder is one. */
  static Optional<ModelId> parse(String folder) {
    if (!folder.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String[] parts = folder.substring(PREFIX.length()).split("--", -1);
    if (parts.length != 2) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ModelId(parts[0], parts[1], ModelId.DEFAULT_REVISION));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static List<Path> children(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** Every file or link under {@code dir}, links not followed. */
  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
