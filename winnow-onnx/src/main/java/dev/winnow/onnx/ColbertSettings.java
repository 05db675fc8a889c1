package dev.winnow.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The settings of a late-interaction checkpoint in the Stanford ColBERT layout, read from its
 * {@code artifact.metadata} (ColBERT's own JSON, as on colbert-ir/colbertv2.0 or
 * answerdotai/answerai-colbert-small-v1).
 *
 * @param queryMarker the token put after {@code [CLS]} of a query ({@code query_token_id}, e.g.
 *     {@code [unused0]})
 * @param documentMarker the token put after {@code [CLS]} of a document ({@code doc_token_id})
 * @param queryMaxLength tokens per query, specials and marker included; shorter queries are padded
 *     with {@code [MASK]} to this length ({@code query_maxlen})
 * @param documentMaxLength tokens per document at most, specials and marker included ({@code
 *     doc_maxlen}); longer documents are cut
 * @param dimension the length of each token vector ({@code dim})
 * @param maskPunctuation drop the vectors of punctuation tokens from documents ({@code
 *     mask_punctuation})
 * @param attendToMaskTokens let the model attend to a query's {@code [MASK]} padding ({@code
 *     attend_to_mask_tokens})
 */
public record ColbertSettings(
    String queryMarker,
    String documentMarker,
    int queryMaxLength,
    int documentMaxLength,
    int dimension,
    boolean maskPunctuation,
    boolean attendToMaskTokens) {

  /** The file that marks the Stanford ColBERT layout. */
  public static final String METADATA = "artifact.metadata";

  private static final ObjectMapper JSON = new ObjectMapper();

  public ColbertSettings {
    Objects.requireNonNull(queryMarker, "queryMarker");
    Objects.requireNonNull(documentMarker, "documentMarker");
    if (queryMaxLength < 3) {
      throw new IllegalArgumentException("query_maxlen must be >= 3, got " + queryMaxLength);
    }
    if (documentMaxLength < 3) {
      throw new IllegalArgumentException("doc_maxlen must be >= 3, got " + documentMaxLength);
    }
    if (dimension < 1) {
      throw new IllegalArgumentException("dim must be >= 1, got " + dimension);
    }
  }

  /** Whether {@code root} looks like a late-interaction checkpoint of a layout Winnow knows. */
  public static boolean isLateInteraction(Path root) {
    return Files.isRegularFile(root.resolve(METADATA))
        || mentions(root.resolve("config.json"), "HF_ColBERT")
        || mentions(root.resolve(PYLATE_CONFIG), "\"document_prefix\"");
  }

  private static final String PYLATE_CONFIG = "config_sentence_transformers.json";

  private static boolean mentions(Path file, String text) {
    try {
      return Files.isRegularFile(file) && Files.readString(file).contains(text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Reads the settings of the checkpoint at {@code root}. A folder in another layout gets one
   * message that names the layouts Winnow reads and lists what the folder holds; a PyLate folder is
   * recognised and refused as not supported yet.
   */
  public static ColbertSettings read(Path root) {
    Path metadata = root.resolve(METADATA);
    if (!Files.isRegularFile(metadata)) {
      String found = String.join(", ", listing(root));
      if (mentions(root.resolve(PYLATE_CONFIG), "\"document_prefix\"")) {
        throw new IllegalArgumentException(
            "model folder "
                + root
                + " looks like a PyLate checkpoint ("
                + PYLATE_CONFIG
                + " with a document_prefix), which"
                + " Winnow cannot load yet; supported: the Stanford ColBERT layout ("
                + METADATA
                + " + config.json + tokenizer.json + onnx/model.onnx). Found: "
                + found);
      }
      throw new IllegalArgumentException(
          "model folder "
              + root
              + " is not a late-interaction checkpoint Winnow knows: expected the Stanford ColBERT"
              + " layout ("
              + METADATA
              + " + config.json + tokenizer.json + onnx/model.onnx). Found: "
              + (found.isEmpty() ? "nothing" : found));
    }
    JsonNode m;
    try {
      m = JSON.readTree(metadata.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(metadata + " is not valid JSON: " + e.getMessage(), e);
    }
    if (m == null || !m.isObject()) {
      throw new IllegalArgumentException(metadata + " is not a JSON object");
    }
    String similarity = m.path("similarity").asText("cosine");
    if (!similarity.equals("cosine")) {
      throw new IllegalArgumentException(
          metadata + ": similarity must be cosine, got '" + similarity + "'");
    }
    return new ColbertSettings(
        text(m, metadata, "query_token_id"),
        text(m, metadata, "doc_token_id"),
        integer(m, metadata, "query_maxlen"),
        integer(m, metadata, "doc_maxlen"),
        integer(m, metadata, "dim"),
        bool(m, metadata, "mask_punctuation"),
        bool(m, metadata, "attend_to_mask_tokens"));
  }

  private static String text(JsonNode m, Path file, String field) {
    JsonNode v = m.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new IllegalArgumentException(
          file + ": " + field + " must be a token string (e.g. [unused0]), got " + v);
    }
    return v.asText();
  }

  private static int integer(JsonNode m, Path file, String field) {
    JsonNode v = m.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(file + ": " + field + " must be an integer, got " + v);
    }
    return v.asInt();
  }

  private static boolean bool(JsonNode m, Path file, String field) {
    JsonNode v = m.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException(file + ": " + field + " must be true or false, got " + v);
    }
    return v.asBoolean();
  }

  /** What the folder holds, one level deep, for error messages. */
  static List<String> listing(Path root) {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> s = Files.list(root)) {
      s.map(p -> root.relativize(p) + (Files.isDirectory(p) ? "/" : "")).sorted().forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    return out;
  }
}
