package dev.winnow.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes an int8 copy of a model folder: {@code onnx/model.onnx} becomes the dynamically quantized
 * graph ({@link DynamicQuantization}), the config and tokenizer files are copied, and the model
 * card, if any, gains a section saying what was done. The result is a complete model folder that
 * every command loads as it loads the original.
 *
 * <p>The copy is built in a hidden sibling folder of the destination and renamed into place only
 * once the quantized graph has loaded in ONNX Runtime with the original's inputs and outputs, so a
 * failure at any step leaves no destination at all.
 *
 * <p>Stateless and thread-safe; two writers of the same destination cannot both succeed.
 */
public final class Int8Quantizer {

  /** What was written. */
  public record Result(Path out, String report, long floatBytes, long int8Bytes) {}

  /** Weight files of the float model, never copied: the int8 graph replaces them. */
  private static final List<String> WEIGHT_SUFFIXES =
      List.of(".onnx", ".onnx_data", ".safetensors", ".bin", ".pt", ".pth", ".h5", ".msgpack");

  private Int8Quantizer() {}

  /**
   * Quantizes the model folder {@code source} into the new folder {@code out}.
   *
   * @throws IllegalArgumentException with a one-line message naming the folder or file, when {@code
   *     source} is not a model folder with a float {@code onnx/model.onnx} (a folder lacking config
   *     or tokenizer, weights in external data, an already quantized graph), or {@code out} exists
   *     and is not an empty folder
   * @throws UncheckedIOException when reading or writing fails (nothing is left in {@code out})
   */
  public static Result quantize(Path source, Path out) {
    return quantize(source, out, false);
  }

  /**
   * As {@link #quantize(Path, Path)}; with {@code allInt8} the feed-forward down-projections are
   * quantized too (smaller and faster, less faithful: see {@link DynamicQuantization}).
   */
  public static Result quantize(Path source, Path out, boolean allInt8) {
    ModelFolder folder = ModelFolder.open(source);
    checkDestination(source, out);
    if (!OnnxExternalData.scan(folder.onnx()).locations().isEmpty()) {
      throw new IllegalArgumentException(
          folder.onnx()
              + " keeps its weights in external data files; quantize a model whose weights are"
              + " inside its .onnx file");
    }
    byte[] original = read(folder.onnx());
    OnnxGraph graph;
    try {
      graph = OnnxGraph.parse(original);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          folder.onnx() + " is not a readable ONNX model: " + e.getMessage(), e);
    }
    DynamicQuantization.Report report;
    try {
      report = DynamicQuantization.apply(graph, allInt8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(folder.onnx() + ": " + e.getMessage(), e);
    }
    byte[] quantized = graph.toBytes();

    Path parent = out.toAbsolutePath().getParent();
    Path work =
        parent.resolve(
            "." + out.getFileName() + ".quantizing-" + Long.toHexString(random()) + ".tmp");
    boolean done = false;
    try {
      Files.createDirectories(parent);
      Files.createDirectory(work);
      Path onnx = work.resolve("onnx").resolve("model.onnx");
      Files.createDirectories(onnx.getParent());
      Files.write(onnx, quantized);
      checkLoads(folder.onnx(), onnx);
      copyModelFiles(folder.root(), work);
      writeCard(folder, work, report, original);
      if (Files.isDirectory(out)) {
        Files.delete(out); // checked empty above; a file put there since makes this fail
      }
      Files.move(work, out, StandardCopyOption.ATOMIC_MOVE);
      done = true;
    } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
      throw new IllegalArgumentException(
          "--out " + out + " was filled by someone else while quantizing; nothing was written", e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write " + out + " (" + e + "); nothing was left there", e);
    } finally {
      if (!done) {
        deleteTree(work);
      }
    }
    return new Result(out, report.toString(), original.length, quantized.length);
  }

  private static void checkDestination(Path source, Path out) {
    if (Files.exists(out)) {
      if (!Files.isDirectory(out)) {
        throw new IllegalArgumentException(
            "--out " + out + " exists and is not a folder; give a new or empty folder");
      }
      try (Stream<Path> s = Files.list(out)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException(
              "--out " + out + " exists and is not empty; give a new or empty folder");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list --out " + out, e);
      }
    }
    Path src = source.toAbsolutePath().normalize();
    Path dst = out.toAbsolutePath().normalize();
    if (dst.startsWith(src)) {
      throw new IllegalArgumentException(
          "--out " + out + " is inside the model folder " + source + "; give a folder outside it");
    }
  }

  /**
   * Opens the quantized graph in ONNX Runtime and checks it has the original's inputs and outputs.
   */
  private static void checkLoads(Path original, Path quantized) {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession before = OnnxSessions.environment().createSession(original.toString(), options);
        OrtSession after =
            OnnxSessions.environment().createSession(quantized.toString(), options)) {
      if (!before.getInputNames().equals(after.getInputNames())
          || !before.getOutputNames().equals(after.getOutputNames())) {
        throw new IllegalStateException(
            "the quantized graph of "
                + original
                + " has inputs "
                + after.getInputNames()
                + " and outputs "
                + after.getOutputNames()
                + ", the original "
                + before.getInputNames()
                + " and "
                + before.getOutputNames());
      }
    } catch (OrtException e) {
      throw new OnnxModelException(
          original.toString(),
          "ONNX Runtime cannot load the quantized graph: " + e.getMessage(),
          e);
    }
  }

  /** Copies every file of the folder but weights (links followed), keeping subfolders. */
  private static void copyModelFiles(Path root, Path to) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      Path relative = root.relativize(file);
      if (WEIGHT_SUFFIXES.stream().anyMatch(name::endsWith)
          || relative.startsWith("onnx")
          || relative.toString().equals("README.md")) {
        continue;
      }
      Path target = to.resolve(relative.toString());
      Files.createDirectories(target.getParent());
      Files.copy(file, target);
    }
  }

  /** The source's model card with a section on the quantization appended (or that section). */
  private static void writeCard(
      ModelFolder folder, Path to, DynamicQuantization.Report report, byte[] original)
      throws IOException {
    Path card = folder.root().resolve("README.md");
    String before = Files.isRegularFile(card) ? Files.readString(card, StandardCharsets.UTF_8) : "";
    String section =
        String.format(
            Locale.ROOT,
            "%n## int8 dynamic quantization%n%n"
                + "`onnx/model.onnx` in this folder is the int8 dynamic quantization of the fp32"
                + " `onnx/model.onnx` (%,d bytes, sha256 `%s`), made by `winnow models quantize`:"
                + " %s. Weights are int8, symmetric, one scale per output column; activations"
                + " are quantized to uint8 per tensor at run time (`DynamicQuantizeLinear`)."
                + " Expect logits within a few hundredths of the fp32 model's.%n",
            original.length,
            sha256(original),
            report);
    Files.writeString(to.resolve("README.md"), before + section, StandardCharsets.UTF_8);
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static long random() {
    return ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // a hidden .tmp folder left beside --out is harmless and names itself
    }
  }
}
