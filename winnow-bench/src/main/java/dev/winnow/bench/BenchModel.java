package dev.winnow.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The model every implementation in one comparison reads: a Hugging Face layout folder, the ONNX
 * variant ({@code fp32} is {@code onnx/model.onnx}, {@code qint8} is {@code onnx/model_qint8.onnx},
 * any other name {@code onnx/model_<name>.onnx}), the maximum total length in tokens and the ONNX
 * Runtime intra-op thread count.
 */
public record BenchModel(Path dir, String variant, int maxLength, int threads) {

  public BenchModel {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("model dir " + dir + " does not exist");
    }
    if (!variant.matches("[A-Za-z0-9_]{1,64}")) {
      throw new IllegalArgumentException(
          "variant must be letters, digits or '_' (fp32, qint8, ...), got '" + variant + "'");
    }
    if (maxLength < 4 || maxLength > 512) {
      throw new IllegalArgumentException("maxLength must be in 4..512, got " + maxLength);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (!Files.isRegularFile(onnxFile(dir, variant))) {
      throw new IllegalArgumentException(
          "model dir " + dir + " has no " + onnxFile(dir, variant) + " for variant " + variant);
    }
  }

  /** The ONNX file name without {@code .onnx}: {@code model} or {@code model_<variant>}. */
  public String onnxStem() {
    return stem(variant);
  }

  public Path onnx() {
    return onnxFile(dir, variant);
  }

  public Path tokenizer() {
    return dir.resolve("tokenizer.json");
  }

  /** The name Winnow's {@code ModelFolder} uses for this variant ({@code default} for fp32). */
  public String winnowVariant() {
    return "fp32".equals(variant) ? "default" : variant;
  }

  /** Whether scores of this variant are batch-invariant floats (fp32) or quantized. */
  public boolean quantized() {
    return variant.toLowerCase(Locale.ROOT).contains("int8")
        || variant.toLowerCase(Locale.ROOT).contains("quant");
  }

  private static String stem(String variant) {
    return "fp32".equals(variant) || "default".equals(variant) ? "model" : "model_" + variant;
  }

  private static Path onnxFile(Path dir, String variant) {
    return dir.resolve("onnx").resolve(stem(variant) + ".onnx");
  }
}
