package dev.winnow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class OpenSearchConfigTest {

  @Test
  void parseUrls_commaSeparated_keepsOrderAndDropsTrailingSlash() {
    assertThat(OpenSearchConfig.parseUrls("http://h1:9200, https://h2:9201/"))
        .containsExactly(URI.create("http://h1:9200"), URI.create("https://h2:9201"));
  }

  @Test
  void parseUrls_badEntries_nameTheEntryAndWhatIsAllowed() {
    assertThatThrownBy(() -> OpenSearchConfig.parseUrls("http://h1:9200,,http://h2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty entry");
    assertThatThrownBy(() -> OpenSearchConfig.parseUrls("h1:9200"))
        .hasMessageContaining("'h1:9200' must start with http:// or https://");
    assertThatThrownBy(() -> OpenSearchConfig.parseUrls("http://h1:9200/prefix"))
        .hasMessageContaining("has a path");
    assertThatThrownBy(() -> OpenSearchConfig.parseUrls("http://user:pw@h1:9200"))
        .hasMessageContaining("must not carry credentials")
        .hasMessageNotContaining("pw");
  }

  @Test
  void constructor_badIndexName_namesTheRule() {
    for (String bad : new String[] {"Upper", "a b", "_x", "a,b", "a/b", "", ".."}) {
      assertThatThrownBy(() -> OpenSearchConfig.of("http://h:9200", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("opensearch-index must be a valid index name")
          .hasMessageContaining("got '" + bad + "'");
    }
    assertThat(OpenSearchConfig.of("http://h:9200", "scifact-bge.v1").index())
        .isEqualTo("scifact-bge.v1");
  }

  @Test
  void constructor_outOfRangeNumbers_areRejected() {
    OpenSearchConfig c = OpenSearchConfig.of("http://h:9200", "x");
    assertThatThrownBy(() -> c.withShards(0)).hasMessage("shards must be in [1, 1024], got 0");
    assertThatThrownBy(() -> c.withReplicas(-1)).hasMessage("replicas must be in [0, 16], got -1");
    assertThatThrownBy(() -> c.withBatchSize(0))
        .hasMessage("batchSize must be in [1, 10000], got 0");
  }

  @Test
  void describeUrls_joinsWithCommas() {
    assertThat(OpenSearchConfig.of("http://a:1,http://b:2", "x").describeUrls())
        .isEqualTo("http://a:1,http://b:2");
  }
}
