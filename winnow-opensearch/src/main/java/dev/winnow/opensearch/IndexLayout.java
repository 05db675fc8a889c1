package dev.winnow.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * The index Winnow creates in OpenSearch, spelled out: settings and an explicit, strict mapping.
 *
 * <p>The text field {@value #CONTENT} holds {@code title + " " + text} ({@link
 * dev.winnow.api.Document#fullText()}) and is analysed like the embedded index (Lucene's {@code
 * EnglishAnalyzer}): standard tokenizer, English possessive filter, lower case, the 33 English stop
 * words ({@code _english_}, Lucene's {@code EnglishAnalyzer.ENGLISH_STOP_WORDS_SET}), Porter
 * stemming; scored by BM25 with k1 {@value #K1} and b {@value #B}. The vector field {@value
 * #EMBEDDING} is a {@code knn_vector} on the Lucene engine (HNSW, cosine similarity, m 16,
 * ef_construction 100: Lucene's defaults, as the embedded index uses). Title, body and metadata are
 * kept in {@code _source} only, to rebuild a hit's text; the analysed copy is excluded from it.
 */
final class IndexLayout {

  /** Bumped whenever the layout changes in a way an existing index cannot follow. */
  static final int VERSION = 1;

  static final String ID = "id";
  static final String TITLE = "title";
  static final String BODY = "body";
  static final String METADATA = "metadata";
  static final String CONTENT = "content";
  static final String EMBEDDING = "embedding";

  static final String ANALYZER = "winnow_english";
  static final String SIMILARITY = "winnow_bm25";
  static final double K1 = 0.9;
  static final double B = 0.4;
  static final int HNSW_M = 16;
  static final int HNSW_EF_CONSTRUCTION = 100;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private IndexLayout() {}

  /** The body of {@code PUT /<index>}. */
  static ObjectNode createBody(int shards, int replicas, Optional<VectorSpec> vectors) {
    ObjectNode body = JSON.objectNode();
    body.set("settings", settings(shards, replicas, vectors.isPresent()));
    body.set("mappings", mappings(vectors));
    return body;
  }

  private static ObjectNode settings(int shards, int replicas, boolean knn) {
    ObjectNode index = JSON.objectNode();
    index.put("number_of_shards", shards);
    index.put("number_of_replicas", replicas);
    if (knn) {
      index.put("knn", true);
    }
    ObjectNode bm25 = index.putObject("similarity").putObject(SIMILARITY);
    bm25.put("type", "BM25");
    bm25.put("k1", K1);
    bm25.put("b", B);

    ObjectNode analysis = index.putObject("analysis");
    ObjectNode filters = analysis.putObject("filter");
    filters
        .putObject("winnow_possessive")
        .put("type", "stemmer")
        .put("language", "possessive_english");
    filters.putObject("winnow_stop").put("type", "stop").put("stopwords", "_english_");
    filters.putObject("winnow_porter").put("type", "porter_stem");
    ObjectNode analyzer = analysis.putObject("analyzer").putObject(ANALYZER);
    analyzer.put("type", "custom");
    analyzer.put("tokenizer", "standard");
    ArrayNode chain = analyzer.putArray("filter");
    chain.add("winnow_possessive").add("lowercase").add("winnow_stop").add("winnow_porter");

    ObjectNode settings = JSON.objectNode();
    settings.set("index", index);
    return settings;
  }

  private static ObjectNode mappings(Optional<VectorSpec> vectors) {
    ObjectNode m = JSON.objectNode();
    m.put("dynamic", "strict");
    ObjectNode meta = m.putObject("_meta").putObject("winnow");
    meta.put("layout", VERSION);
    vectors.ifPresent(v -> meta.put("encoder", v.encoder()).put("dimension", v.dimension()));
    m.putObject("_source").putArray("excludes").add(CONTENT);

    ObjectNode p = m.putObject("properties");
    p.putObject(ID).put("type", "keyword");
    p.putObject(TITLE).put("type", "text").put("index", false);
    p.putObject(BODY).put("type", "text").put("index", false);
    p.putObject(METADATA).put("type", "object").put("enabled", false);
    p.putObject(CONTENT)
        .put("type", "text")
        .put("analyzer", ANALYZER)
        .put("similarity", SIMILARITY);
    vectors.ifPresent(
        v -> {
          ObjectNode field = p.putObject(EMBEDDING);
          field.put("type", "knn_vector");
          field.put("dimension", v.dimension());
          ObjectNode method = field.putObject("method");
          method.put("name", "hnsw");
          method.put("engine", "lucene");
          method.put("space_type", "cosinesimil");
          method
              .putObject("parameters")
              .put("m", HNSW_M)
              .put("ef_construction", HNSW_EF_CONSTRUCTION);
        });
    return m;
  }

  /**
   * What an existing index (its {@code mappings} object from {@code GET /<index>}) holds: its
   * vectors, or empty when it has none. Fails when the index was not made by Winnow's layout.
   */
  static Optional<VectorSpec> readVectors(JsonNode mappings, String where) {
    JsonNode meta = mappings.path("_meta").path("winnow");
    if (!meta.path("layout").isInt()) {
      throw new OpenSearchClusterException(
          where
              + " exists but was not created by Winnow (no _meta.winnow.layout in its mapping);"
              + " use another index name or delete it");
    }
    if (meta.path("layout").asInt() != VERSION) {
      throw new OpenSearchClusterException(
          where
              + " has Winnow layout "
              + meta.path("layout").asInt()
              + " but this version writes layout "
              + VERSION
              + "; re-create it");
    }
    JsonNode content = mappings.path("properties").path(CONTENT);
    if (!ANALYZER.equals(content.path("analyzer").asText())
        || !SIMILARITY.equals(content.path("similarity").asText())) {
      throw new OpenSearchClusterException(
          where + " has a '" + CONTENT + "' field not analysed and scored as Winnow's: " + content);
    }
    JsonNode field = mappings.path("properties").path(EMBEDDING);
    if (field.isMissingNode()) {
      return Optional.empty();
    }
    return Optional.of(
        new VectorSpec(meta.path("encoder").asText("unknown"), field.path("dimension").asInt()));
  }
}
