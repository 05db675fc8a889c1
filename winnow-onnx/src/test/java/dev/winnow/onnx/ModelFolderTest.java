package dev.winnow.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.testkit.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {

  @Test
  void open_fixture_findsDefaultAndVariant() {
    Path root = Shared.miniLmFixture();
    assertThat(ModelFolder.open(root).onnx()).isEqualTo(root.resolve("onnx/model.onnx"));
    assertThat(ModelFolder.open(root, "qint8").onnx())
        .isEqualTo(root.resolve("onnx/model_qint8.onnx"));
  }

  @Test
  void open_unknownVariant_listsWhatExists() {
    Path root = Shared.miniLmFixture();
    assertThatThrownBy(() -> ModelFolder.open(root, "O4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model_O4.onnx")
        .hasMessageContaining("onnx/model_qint8.onnx");
  }

  @Test
  void open_withoutTokenizer_namesTheFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{}");
    assertThatThrownBy(() -> ModelFolder.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenizer.json");
  }

  @Test
  void open_badVariantName_isRefused() {
    Path root = Shared.tinyFixture();
    assertThatThrownBy(() -> ModelFolder.open(root, "../x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("variant");
  }
}
