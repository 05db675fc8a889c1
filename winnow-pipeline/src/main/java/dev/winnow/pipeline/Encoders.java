package dev.winnow.pipeline;

import dev.winnow.api.Encoder;
import dev.winnow.onnx.BundledEncoders;
import java.util.List;
import java.util.Locale;

/** The bi-encoders a user can name on the command line or in a regression file. */
public final class Encoders {

  /** The names users type, in the order help lists them. */
  public static final List<String> NAMES = List.of("bge-small", "minilm");

  private Encoders() {}

  /**
   * Opens the bundled encoder {@code name}: {@code bge-small} (BAAI/bge-small-en-v1.5 int8, CLS
   * pooling, L2, query prefix) or {@code minilm} (all-MiniLM-L6-v2 fp32, mean pooling, L2; its
   * model name {@code all-minilm-l6-v2} is accepted too). The caller closes it.
   */
  public static Encoder open(String name) {
    return switch (canonical(name)) {
      case "bge-small" -> BundledEncoders.bgeSmall();
      case "minilm" -> BundledEncoders.miniLm();
      default -> throw new IllegalStateException("unreachable");
    };
  }

  /** The user-facing name for {@code name}, or an error naming the allowed values. */
  public static String canonical(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "bge-small", "bge-small-en-v1.5" -> "bge-small";
      case "minilm", "all-minilm-l6-v2" -> "minilm";
      default ->
          throw new IllegalArgumentException(
              "embedder must be one of " + String.join(", ", NAMES) + "; got '" + name + "'");
    };
  }

  /** The name the encoder reports ({@link Encoder#name()}), as an index records it. */
  public static String modelName(String name) {
    return canonical(name).equals("bge-small") ? "bge-small" : "all-minilm-l6-v2";
  }
}
