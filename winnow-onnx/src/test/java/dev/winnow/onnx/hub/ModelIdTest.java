package dev.winnow.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelIdTest {

  @Test
  void parse_validIds() {
    assertThat(ModelId.parse("cross-encoder/ms-marco-MiniLM-L6-v2"))
        .isEqualTo(new ModelId("cross-encoder", "ms-marco-MiniLM-L6-v2", "main"));
    assertThat(ModelId.parse("Xenova/bge-reranker-base@v1.0").revision()).isEqualTo("v1.0");
    assertThat(ModelId.parse("org/name@refs/pr/1").revision()).isEqualTo("refs/pr/1");
    assertThat(ModelId.parse("org/name.v2_x").cacheFolder()).isEqualTo("models--org--name.v2_x");
  }

  @Test
  void parse_badIds_areRefusedNamingValueAndForm() {
    String[] bad = {
      "../x",
      "org/..",
      "org/../x",
      "http://host/org/name",
      "file:/etc/passwd",
      "org/name/extra",
      "org\\name",
      "org",
      "/org/name",
      "org/na me",
      "-org/name",
      "org--x/name",
      "org/name@",
      "org/name@../main",
      "org/name@a//b",
      "org/name@.hidden",
      "org/name@main/",
      "org/name@a b",
    };
    for (String ref : bad) {
      assertThatThrownBy(() -> ModelId.parse(ref))
          .as(ref)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("ORG/NAME[@REVISION]");
    }
    assertThatThrownBy(() -> ModelId.parse("http://host/org/name"))
        .hasMessageContaining("'http://host/org/name' is a URL");
    assertThatThrownBy(() -> ModelId.parse("org/name/extra"))
        .hasMessageContaining("'org/name/extra'")
        .hasMessageContaining("exactly one '/'");
    assertThatThrownBy(() -> ModelId.parse("org/name@../main")).hasMessageContaining("'../main'");
    assertThatThrownBy(() -> ModelId.parse("org/na me")).hasMessageContaining("'na me'");
  }
}
