package dev.winnow.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HubConfigTest {

  private static final Path HOME = Path.of("/home/u");

  @Test
  void fromEnvironment_defaults() {
    HubConfig c = HubConfig.fromEnvironment(Map.of(), HOME);
    assertThat(c.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
    assertThat(c.cacheDir()).isEqualTo(Path.of("/home/u/.cache/huggingface/hub"));
    assertThat(c.token()).isEmpty();
    assertThat(c.offline()).isFalse();
  }

  @Test
  void fromEnvironment_cachePrecedence_hubCacheThenHomeThenXdg() {
    assertThat(HubConfig.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x"), HOME).cacheDir())
        .isEqualTo(Path.of("/x/huggingface/hub"));
    assertThat(
            HubConfig.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x", "HF_HOME", "/h"), HOME)
                .cacheDir())
        .isEqualTo(Path.of("/h/hub"));
    assertThat(
            HubConfig.fromEnvironment(Map.of("HF_HOME", "/h", "HF_HUB_CACHE", "/c"), HOME)
                .cacheDir())
        .isEqualTo(Path.of("/c"));
  }

  @Test
  void fromEnvironment_endpointTokenOffline() {
    HubConfig c =
        HubConfig.fromEnvironment(
            Map.of(
                "HF_ENDPOINT", "https://mirror.example/hf/",
                "HF_TOKEN", " hf_abc \n",
                "HF_HUB_OFFLINE", "1"),
            HOME);
    assertThat(c.endpoint()).isEqualTo(URI.create("https://mirror.example/hf"));
    assertThat(c.token()).contains("hf_abc");
    assertThat(c.offline()).isTrue();
    assertThat(c.toString()).doesNotContain("hf_abc");
    assertThat(HubConfig.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), HOME).offline()).isFalse();
    assertThat(HubConfig.fromEnvironment(Map.of("HF_HUB_OFFLINE", "TRUE"), HOME).offline())
        .isTrue();
  }

  @Test
  void badEndpointOrToken_isRefused() {
    for (String bad :
        new String[] {"ftp://h", "huggingface.co", "https://u:p@h", "https://h/?q=1"}) {
      assertThatThrownBy(() -> HubConfig.fromEnvironment(Map.of("HF_ENDPOINT", bad), HOME))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("HF_ENDPOINT");
    }
    assertThatThrownBy(
            () ->
                new HubConfig(
                    URI.create("https://h"), HOME, Optional.of("hf_x\r\nX-Evil: 1"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HF_TOKEN")
        .hasMessageNotContaining("hf_x");
  }
}
