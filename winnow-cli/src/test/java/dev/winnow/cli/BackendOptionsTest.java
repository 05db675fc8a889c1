package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.opensearch.OpenSearchConfig;
import java.net.URI;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class BackendOptionsTest {

  @Command(name = "probe")
  static final class Probe {
    @Mixin BackendOptions backend;
  }

  private static BackendOptions parse(String... args) {
    Probe p = new Probe();
    new CommandLine(p).parseArgs(args);
    return p.backend;
  }

  @Test
  void defaults_areTheEmbeddedIndex() {
    BackendOptions o = parse();
    assertThat(o.backend()).isEqualTo(BackendOptions.Backend.EMBEDDED);
    assertThat(o.isOpenSearch()).isFalse();
  }

  @Test
  void openSearch_withUrlsAndIndex_buildsTheConfig() {
    OpenSearchConfig c =
        parse(
                "--backend", "OpenSearch",
                "--opensearch-url", "http://127.0.0.1:9200,http://127.0.0.1:9201",
                "--opensearch-index", "scifact",
                "--opensearch-replicas", "1")
            .openSearchConfig();
    assertThat(c.urls())
        .containsExactly(URI.create("http://127.0.0.1:9200"), URI.create("http://127.0.0.1:9201"));
    assertThat(c.index()).isEqualTo("scifact");
    assertThat(c.replicas()).isEqualTo(1);
    assertThat(c.shards()).isEqualTo(1);
  }

  @Test
  void badValues_areNamedWithWhatIsAllowed() {
    assertThatThrownBy(() -> parse("--backend", "solr").backend())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--backend must be one of embedded, opensearch; got 'solr'");
    assertThatThrownBy(
            () ->
                parse(
                        "--backend", "opensearch",
                        "--opensearch-url", "http://h:9200",
                        "--opensearch-index", "Bad Name")
                    .openSearchConfig())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("opensearch-index must be a valid index name")
        .hasMessageContaining("got 'Bad Name'");
    assertThatThrownBy(
            () ->
                parse("--backend", "opensearch", "--opensearch-url", "127.0.0.1:9200")
                    .openSearchConfig())
        .hasMessageContaining("must start with http:// or https://");
  }

  @Test
  void openSearch_withoutUrl_saysHowToGetOne() {
    BackendOptions o = parse("--backend", "opensearch");
    o.openSearchUrl = ""; // as without --opensearch-url and WINNOW_OPENSEARCH_URL
    assertThatThrownBy(o::openSearchConfig)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--backend opensearch needs --opensearch-url")
        .hasMessageContaining("scripts/opensearch.sh start");
  }
}
