package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Activation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

  @TempDir Path dir;

  private ModelConfig config(String json) throws IOException {
    Path p = dir.resolve("config.json");
    Files.writeString(p, json);
    return ModelConfig.read(p, Optional.empty());
  }

  @Test
  void activation_followsSentenceTransformers() throws IOException {
    assertThat(config("{\"num_labels\": 1}").defaultActivation()).contains(Activation.SIGMOID);
    assertThat(
            config(
                    "{\"sentence_transformers\": {\"activation_fn\":"
                        + " \"torch.nn.modules.linear.Identity\"}}")
                .defaultActivation())
        .contains(Activation.RAW);
    assertThat(
            config(
                    "{\"sbert_ce_default_activation_function\":"
                        + " \"torch.nn.modules.activation.Sigmoid\"}")
                .defaultActivation())
        .contains(Activation.SIGMOID);
    assertThat(
            config("{\"sentence_transformers\": {\"activation_fn\": \"torch.nn.Tanh\"}}")
                .defaultActivation())
        .isEmpty();
  }

  @Test
  void positiveIndex_readsId2label() throws IOException {
    assertThat(config("{\"id2label\": {\"0\": \"LABEL_0\", \"1\": \"LABEL_1\"}}").positiveIndex())
        .isEqualTo(1);
    assertThat(
            config("{\"id2label\": {\"0\": \"relevant\", \"1\": \"not_relevant\"}}")
                .positiveIndex())
        .isZero();
    assertThat(config("{\"id2label\": {\"0\": \"a\", \"1\": \"b\"}}").positiveIndex()).isEqualTo(1);
  }

  @Test
  void maxLength_modelMaxLengthCappedByPositions() throws IOException {
    Path tc = dir.resolve("tokenizer_config.json");
    Files.writeString(tc, "{\"model_max_length\": 1000000000000000019884624838656}");
    Path c = dir.resolve("config.json");
    Files.writeString(c, "{\"max_position_embeddings\": 512}");
    ModelConfig unlimited = ModelConfig.read(c, Optional.of(tc));
    assertThat(unlimited.defaultMaxLength()).isEqualTo(512);
    Files.writeString(
        tc, new ObjectMapper().writeValueAsString(java.util.Map.of("model_max_length", 256)));
    assertThat(ModelConfig.read(c, Optional.of(tc)).defaultMaxLength()).isEqualTo(256);
    // RoBERTa-style position ids start after the padding index: 514 rows, 512 usable.
    assertThat(
            config(
                    "{\"model_type\": \"xlm-roberta\", \"max_position_embeddings\": 514,"
                        + " \"pad_token_id\": 1}")
                .hardMaxLength())
        .isEqualTo(512);
  }
}
