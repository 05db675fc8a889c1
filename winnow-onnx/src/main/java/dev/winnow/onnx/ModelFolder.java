package dev.winnow.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model in the Hugging Face repository layout: {@code config.json}, {@code tokenizer.json} (with
 * {@code tokenizer_config.json} and {@code special_tokens_map.json} when present) and an ONNX file
 * at {@code onnx/model.onnx} or {@code model.onnx}, or a named variant of it.
 *
 * <p>Variants are chosen by name: {@code qint8} means {@code model_qint8.onnx}, {@code quantized}
 * means {@code model_quantized.onnx}, and so on for Hugging Face's usual names ({@code
 * qint8_avx512_vnni}, {@code quint8_avx2}, {@code O1}..{@code O4}, {@code fp16}, ...). Each is
 * looked up under {@code onnx/} first, then at the root.
 */
public record ModelFolder(
    Path root,
    Path config,
    Path tokenizer,
    Optional<Path> tokenizerConfig,
    Path onnx,
    String variant) {

  /** The default variant name: {@code model.onnx}. */
  public static final String DEFAULT_VARIANT = "default";

  /** Opens {@code root} with the default ONNX file. */
  public static ModelFolder open(Path root) {
    return open(root, DEFAULT_VARIANT);
  }

  /**
   * Opens {@code root} and picks the ONNX file of {@code variant}; errors name the missing file and
   * list what the folder does have.
   */
  public static ModelFolder open(Path root, String variant) {
    ModelSafety.check(root);
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException(
          "model folder " + root + " does not exist or is not a directory");
    }
    if (!variant.matches("[A-Za-z0-9_]{1,64}")) {
      throw new IllegalArgumentException(
          "variant must be letters, digits or '_' (e.g. qint8, quantized, O2), got '"
              + variant
              + "'");
    }
    Path config = require(root, "config.json");
    Path tokenizer = require(root, "tokenizer.json");
    Path tokenizerConfig = root.resolve("tokenizer_config.json");
    String file = DEFAULT_VARIANT.equals(variant) ? "model.onnx" : "model_" + variant + ".onnx";
    Path onnx = root.resolve("onnx").resolve(file);
    if (!Files.isRegularFile(onnx)) {
      onnx = root.resolve(file);
    }
    if (!Files.isRegularFile(onnx)) {
      throw new IllegalArgumentException(
          "model folder "
              + root
              + " has no onnx/"
              + file
              + " or "
              + file
              + " for variant '"
              + variant
              + "'; ONNX files present: "
              + onnxFiles(root));
    }
    return new ModelFolder(
        root,
        config,
        tokenizer,
        Files.isRegularFile(tokenizerConfig) ? Optional.of(tokenizerConfig) : Optional.empty(),
        onnx,
        variant.toLowerCase(Locale.ROOT).equals(DEFAULT_VARIANT) ? DEFAULT_VARIANT : variant);
  }

  private static Path require(Path root, String name) {
    Path p = root.resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException("model folder " + root + " has no " + name);
    }
    return p;
  }

  /** The ONNX files under the folder (root and {@code onnx/}), relative, for error messages. */
  static List<String> onnxFiles(Path root) {
    List<String> found = new ArrayList<>();
    for (Path dir : List.of(root, root.resolve("onnx"))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.getFileName().toString().endsWith(".onnx"))
            .map(p -> root.relativize(p).toString())
            .sorted()
            .forEach(found::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    }
    return found;
  }
}
