package dev.winnow.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Activation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * What Winnow reads from a model's {@code config.json} and {@code tokenizer_config.json}: length
 * limits, labels and the sentence-transformers activation.
 *
 * @param modelMaxLength {@code model_max_length} of tokenizer_config.json, when present and sane
 * @param maxPositions usable positions of the position-embedding table, when config.json says
 * @param id2label the labels by output index (empty when config.json has none)
 * @param numLabels {@code num_labels}, else the size of {@code id2label}, else 1
 * @param activationName the sentence-transformers activation class name, when config.json names one
 * @param positionOffset rows of the position table before the first usable one (RoBERTa's padding
 *     index + 1; 0 for BERT)
 */
record ModelConfig(
    OptionalInt modelMaxLength,
    OptionalInt maxPositions,
    Map<Integer, String> id2label,
    int numLabels,
    Optional<String> activationName,
    int positionOffset) {

  /** Used when neither file states a length (BERT's table size). */
  static final int FALLBACK_MAX_LENGTH = 512;

  /** Model families whose position ids start after the padding index (table size - pad - 1). */
  private static final Set<String> OFFSET_POSITIONS =
      Set.of("roberta", "xlm-roberta", "camembert", "longformer");

  /** Labels read as "the relevant class" of a two-label classifier, lower case. */
  private static final Set<String> POSITIVE_LABELS =
      Set.of("1", "label_1", "positive", "pos", "relevant", "true", "yes", "entailment");

  private static final ObjectMapper JSON = new ObjectMapper();

  static ModelConfig read(Path config, Optional<Path> tokenizerConfig) {
    JsonNode c = readJson(config);
    OptionalInt modelMax = OptionalInt.empty();
    if (tokenizerConfig.isPresent()) {
      JsonNode t = readJson(tokenizerConfig.get());
      JsonNode m = t.get("model_max_length");
      // Transformers writes 1e30 when a tokenizer has no limit: not a limit.
      if (m != null && m.isNumber() && m.asDouble() >= 1 && m.asDouble() <= 1_000_000) {
        modelMax = OptionalInt.of(m.asInt());
      }
    }
    OptionalInt positions = OptionalInt.empty();
    String type = c.path("model_type").asText("").toLowerCase(Locale.ROOT);
    int offset = OFFSET_POSITIONS.contains(type) ? c.path("pad_token_id").asInt(1) + 1 : 0;
    JsonNode mpe = c.get("max_position_embeddings");
    if (mpe != null && mpe.canConvertToInt() && mpe.asInt() > 0) {
      positions = OptionalInt.of(mpe.asInt() - offset);
    }
    Map<Integer, String> labels = new TreeMap<>();
    JsonNode id2label = c.get("id2label");
    if (id2label != null && id2label.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        try {
          labels.put(Integer.parseInt(e.getKey()), e.getValue().asText());
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException(
              config + ": id2label keys must be integers, got '" + e.getKey() + "'", ex);
        }
      }
    }
    int numLabels = c.has("num_labels") ? c.get("num_labels").asInt() : Math.max(1, labels.size());
    Optional<String> activation = Optional.empty();
    JsonNode st = c.path("sentence_transformers").get("activation_fn");
    if (st != null && st.isTextual()) {
      activation = Optional.of(st.asText());
    } else if (c.hasNonNull("sbert_ce_default_activation_function")) {
      activation = Optional.of(c.get("sbert_ce_default_activation_function").asText());
    }
    return new ModelConfig(modelMax, positions, Map.copyOf(labels), numLabels, activation, offset);
  }

  /**
   * This configuration with the position table the graph really has ({@code rows} rows), which wins
   * over a {@code max_position_embeddings} that overstates it: a model asked for more positions
   * than its table holds fails at inference, so the limit is known at load instead.
   */
  ModelConfig withPositionTable(int rows) {
    int usable = rows - positionOffset;
    if (maxPositions.isPresent() && maxPositions.getAsInt() <= usable) {
      return this;
    }
    return new ModelConfig(
        modelMaxLength,
        OptionalInt.of(usable),
        id2label,
        numLabels,
        activationName,
        positionOffset);
  }

  /** The default total length: model_max_length capped by the position table, else either. */
  int defaultMaxLength() {
    if (modelMaxLength.isPresent() && maxPositions.isPresent()) {
      return Math.min(modelMaxLength.getAsInt(), maxPositions.getAsInt());
    }
    if (modelMaxLength.isPresent()) {
      return modelMaxLength.getAsInt();
    }
    return maxPositions.orElse(FALLBACK_MAX_LENGTH);
  }

  /** The largest total length a caller may ask for: the position table, when known. */
  int hardMaxLength() {
    return maxPositions.orElse(Math.max(defaultMaxLength(), FALLBACK_MAX_LENGTH));
  }

  /**
   * The activation sentence-transformers would apply: the named one, else sigmoid for one label
   * (sentence-transformers' default); empty for a name Winnow does not know.
   */
  Optional<Activation> defaultActivation() {
    if (activationName.isEmpty()) {
      return Optional.of(Activation.SIGMOID);
    }
    String name = activationName.get();
    String simple = name.substring(name.lastIndexOf('.') + 1);
    return switch (simple) {
      case "Sigmoid" -> Optional.of(Activation.SIGMOID);
      case "Identity" -> Optional.of(Activation.RAW);
      default -> Optional.empty();
    };
  }

  /**
   * For a two-label head, the output index of the relevant class: the label named like one (e.g.
   * {@code LABEL_1}, {@code relevant}, {@code entailment}) when exactly one is, else index 1 (the
   * Hugging Face convention for binary classifiers).
   */
  int positiveIndex() {
    int found = -1;
    for (Map.Entry<Integer, String> e : id2label.entrySet()) {
      if (POSITIVE_LABELS.contains(e.getValue().toLowerCase(Locale.ROOT))) {
        if (found >= 0) {
          return 1;
        }
        found = e.getKey();
      }
    }
    return found == 0 || found == 1 ? found : 1;
  }

  static JsonNode readJson(Path file) {
    try {
      JsonNode node = JSON.readTree(file.toFile());
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException(file + " is not a JSON object");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
