package dev.winnow.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Refuses model folders that would make us read outside them or load code-carrying weights.
 *
 * <p>A model folder is untrusted input (downloaded, shared, unpacked from an archive). Before
 * anything is loaded from it, {@link #check(Path)} refuses, with an {@link
 * IllegalArgumentException} naming the offending file:
 *
 * <ul>
 *   <li>a model path that is a URL ({@code http://...}, {@code file:...}): models are local
 *       folders; hub models go through {@code winnow models pull};
 *   <li>a symbolic link, in the folder or its {@code onnx/} subfolder, whose real target lies
 *       outside the folder. The Hugging Face cache layout is allowed: {@code
 *       models--ORG--NAME/snapshots/COMMIT/x} may link into the same repository's {@code blobs/};
 *   <li>an ONNX file whose tensors keep their data in external files ({@code
 *       TensorProto.external_data} {@code location}) that are absolute, contain {@code ..}, resolve
 *       outside the folder, or are missing;
 *   <li>a folder with pickle weights ({@code *.bin}, {@code *.pt}, {@code *.pth}, {@code *.pkl},
 *       {@code *.ckpt}) and no ONNX file: pickle files can run code when loaded, so Winnow never
 *       loads them.
 * </ul>
 *
 * <p>ONNX files are scanned by streaming their protobuf encoding (weights are skipped, not read),
 * so the check stays cheap for large models. Stateless and thread-safe.
 */
public final class ModelSafety {

  /** A URI scheme of two or more characters (one letter is a Windows drive, {@code C:}). */
  private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*", Pattern.DOTALL);

  private static final List<String> PICKLE_SUFFIXES =
      List.of(".bin", ".pt", ".pth", ".pkl", ".ckpt");

  private ModelSafety() {}

  /**
   * Refuses a model reference that is a URL. Models are read from local folders, or pulled from the
   * configured hub by id.
   */
  public static void checkNotUrl(String modelRef) {
    if (URL.matcher(modelRef).matches()) {
      throw new IllegalArgumentException(
          "model '"
              + modelRef
              + "' is a URL; models are loaded from a local folder or pulled by hub id"
              + " ORG/NAME[@REVISION] from the configured endpoint (HF_ENDPOINT), never from a URL");
    }
  }

  /**
   * Checks the folder {@code root} and every ONNX file in it or in {@code root/onnx}. A path that
   * is not a directory passes (after the URL check): {@link ModelFolder#open} reports it.
   */
  public static void check(Path root) {
    checkNotUrl(root.toString());
    if (!Files.isDirectory(root)) {
      return;
    }
    Allowed allowed = Allowed.of(root);
    List<Path> onnxFiles = new ArrayList<>();
    List<Path> pickles = new ArrayList<>();
    for (Path dir : List.of(root, root.resolve("onnx"))) {
      for (Path p : list(dir)) {
        if (Files.isSymbolicLink(p)) {
          allowed.requireInside(p);
        }
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".onnx")) {
          onnxFiles.add(p);
        } else if (PICKLE_SUFFIXES.stream().anyMatch(name::endsWith)) {
          pickles.add(p);
        }
      }
    }
    if (onnxFiles.isEmpty() && !pickles.isEmpty()) {
      throw new IllegalArgumentException(
          "model folder "
              + root
              + " has only pickle weights ("
              + names(root, pickles)
              + ") and no ONNX file: pickle weights can execute code and are never loaded;"
              + " export the model to ONNX (e.g. optimum-cli export onnx) or use a repo that"
              + " ships onnx/model.onnx");
    }
    for (Path onnx : onnxFiles) {
      checkExternalData(allowed, onnx);
    }
  }

  /**
   * Checks the folder {@code root} (as {@link #check(Path)}) and that {@code onnx} and its external
   * data lie inside it.
   */
  public static void check(Path root, Path onnx) {
    check(root);
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(
          "model folder " + root + " does not exist or is not a directory");
    }
    Allowed allowed = Allowed.of(root);
    allowed.requireInside(onnx);
    checkExternalData(allowed, onnx);
  }

  /**
   * The {@code location} of every tensor of {@code onnx} stored as external data, in file order
   * (repeats included), without checking them. Streams the file. For a file that is not well-formed
   * protobuf (truncated, say), the locations before the fault: ONNX Runtime refuses such a file
   * before reading any external data, and reports it itself.
   *
   * @throws IllegalArgumentException for nesting deeper than 64 messages or a location longer than
   *     4096 bytes, which protobuf would accept but Winnow refuses
   */
  public static List<String> externalDataLocations(Path onnx) {
    return OnnxExternalData.scan(onnx).locations();
  }

  /**
   * Refuses an external-data location that is absolute, has a {@code ..} segment, a backslash or a
   * NUL; {@code onnx} names the file in the message. Holds for any folder, local or cached.
   */
  public static void checkLocation(Path onnx, String location) {
    String problem = null;
    if (location.isEmpty()) {
      problem = "is empty";
    } else if (location.indexOf('\0') >= 0) {
      problem = "contains a NUL character";
    } else if (location.indexOf('\\') >= 0) {
      problem = "contains a backslash";
    } else if (location.startsWith("/") || location.matches("^[A-Za-z]:.*")) {
      problem = "is an absolute path";
    } else if (Stream.of(location.split("/")).anyMatch(".."::equals)) {
      problem = "has a '..' segment";
    }
    if (problem != null) {
      throw new IllegalArgumentException(
          "ONNX file "
              + onnx
              + " refers to external data at '"
              + location
              + "', which "
              + problem
              + "; external data must be a relative path inside the model folder");
    }
  }

  private static void checkExternalData(Allowed allowed, Path onnx) {
    List<String> seen = new ArrayList<>();
    for (String location : externalDataLocations(onnx)) {
      if (seen.contains(location)) {
        continue;
      }
      seen.add(location);
      checkLocation(onnx, location);
      Path data = onnx.toAbsolutePath().getParent().resolve(location).normalize();
      if (!data.startsWith(allowed.lexicalRoot)) {
        throw new IllegalArgumentException(
            "ONNX file "
                + onnx
                + " refers to external data at '"
                + location
                + "', outside the model folder "
                + allowed.lexicalRoot);
      }
      if (!Files.exists(data)) {
        throw new IllegalArgumentException(
            "ONNX file "
                + onnx
                + " refers to external data '"
                + location
                + "', missing at "
                + data);
      }
      allowed.requireInside(data);
    }
  }

  private static List<Path> list(Path dir) {
    // Follows a link: an escaping onnx/ link was already refused when its parent was listed.
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list model folder " + dir, e);
    }
  }

  private static String names(Path root, List<Path> files) {
    return String.join(", ", files.stream().map(p -> root.relativize(p).toString()).toList());
  }

  /** The real directories a model folder's files may live in. */
  private record Allowed(Path lexicalRoot, Path realRoot, Optional<Path> hubBlobs) {

    static Allowed of(Path root) {
      Path realRoot = real(root, root);
      Path parent = realRoot.getParent();
      Optional<Path> blobs = Optional.empty();
      if (parent != null
          && parent.getFileName() != null
          && parent.getFileName().toString().equals("snapshots")
          && parent.getParent() != null
          && Files.isDirectory(parent.getParent().resolve("blobs"))) {
        Path repoBlobs = parent.getParent().resolve("blobs");
        blobs = Optional.of(real(repoBlobs, repoBlobs));
      }
      return new Allowed(root.toAbsolutePath().normalize(), realRoot, blobs);
    }

    void requireInside(Path p) {
      Path target = real(p, lexicalRoot);
      if (target.startsWith(realRoot) || hubBlobs.map(target::startsWith).orElse(false)) {
        return;
      }
      throw new IllegalArgumentException(
          p
              + " resolves to "
              + target
              + ", outside the model folder "
              + lexicalRoot
              + (Files.isSymbolicLink(p) ? " (symbolic link)" : "")
              + "; model files must stay inside their folder"
              + (hubBlobs.isPresent() ? " or its hub cache blobs/" : ""));
    }

    private static Path real(Path p, Path root) {
      try {
        return p.toRealPath();
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException(
            p + " in model folder " + root + " is a broken symbolic link or missing", e);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot resolve " + p + " in model folder " + root, e);
      }
    }
  }
}
