package dev.winnow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IndexLayoutTest {

  private final JsonNode body =
      IndexLayout.createBody(2, 1, Optional.of(new VectorSpec("bge-small", 384)));

  @Test
  void createBody_analysesLikeLucenesEnglishAnalyzer() {
    JsonNode analysis = body.path("settings").path("index").path("analysis");
    JsonNode analyzer = analysis.path("analyzer").path("winnow_english");
    assertThat(analyzer.path("tokenizer").asText()).isEqualTo("standard");
    assertThat(analyzer.path("filter").toString())
        .isEqualTo("[\"winnow_possessive\",\"lowercase\",\"winnow_stop\",\"winnow_porter\"]");
    JsonNode filters = analysis.path("filter");
    assertThat(filters.path("winnow_possessive").path("language").asText())
        .isEqualTo("possessive_english");
    assertThat(filters.path("winnow_stop").path("stopwords").asText()).isEqualTo("_english_");
    assertThat(filters.path("winnow_porter").path("type").asText()).isEqualTo("porter_stem");
  }

  @Test
  void createBody_scoresContentWithBm25AtWinnowsParameters() {
    JsonNode index = body.path("settings").path("index");
    JsonNode sim = index.path("similarity").path("winnow_bm25");
    assertThat(sim.path("type").asText()).isEqualTo("BM25");
    assertThat(sim.path("k1").asDouble()).isEqualTo(0.9);
    assertThat(sim.path("b").asDouble()).isEqualTo(0.4);
    assertThat(index.path("number_of_shards").asInt()).isEqualTo(2);
    assertThat(index.path("number_of_replicas").asInt()).isEqualTo(1);
    JsonNode content = body.path("mappings").path("properties").path("content");
    assertThat(content.path("analyzer").asText()).isEqualTo("winnow_english");
    assertThat(content.path("similarity").asText()).isEqualTo("winnow_bm25");
    assertThat(body.path("mappings").path("dynamic").asText()).isEqualTo("strict");
  }

  @Test
  void createBody_vectorsUseLuceneHnswCosine() {
    JsonNode v = body.path("mappings").path("properties").path("embedding");
    assertThat(v.path("type").asText()).isEqualTo("knn_vector");
    assertThat(v.path("dimension").asInt()).isEqualTo(384);
    assertThat(v.path("method").path("name").asText()).isEqualTo("hnsw");
    assertThat(v.path("method").path("engine").asText()).isEqualTo("lucene");
    assertThat(v.path("method").path("space_type").asText()).isEqualTo("cosinesimil");
    assertThat(body.path("settings").path("index").path("knn").asBoolean()).isTrue();
  }

  @Test
  void createBody_withoutVectors_hasNoVectorField() {
    JsonNode b = IndexLayout.createBody(1, 0, Optional.empty());
    assertThat(b.path("mappings").path("properties").has("embedding")).isFalse();
    assertThat(b.path("settings").path("index").has("knn")).isFalse();
  }

  @Test
  void readVectors_roundTripsTheSpec() {
    assertThat(IndexLayout.readVectors(body.path("mappings"), "here"))
        .contains(new VectorSpec("bge-small", 384));
    assertThat(
            IndexLayout.readVectors(
                IndexLayout.createBody(1, 0, Optional.empty()).path("mappings"), "here"))
        .isEmpty();
  }

  @Test
  void readVectors_foreignIndex_isRefusedWithTheIndexNamed() throws Exception {
    JsonNode foreign =
        new ObjectMapper().readTree("{\"properties\":{\"content\":{\"type\":\"text\"}}}");
    assertThatThrownBy(() -> IndexLayout.readVectors(foreign, "OpenSearch at u, index 'x'"))
        .isInstanceOf(OpenSearchClusterException.class)
        .hasMessageContaining("index 'x'")
        .hasMessageContaining("not created by Winnow");
  }
}
