package dev.winnow.cli;

import dev.winnow.opensearch.OpenSearchConfig;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Where the first stage lives, shared by {@code index}, {@code search}, {@code eval} and {@code
 * serve} as a picocli mixin: the embedded Lucene index (default) or an OpenSearch cluster.
 *
 * <pre>
 * --backend opensearch --opensearch-url http://h1:9200,http://h2:9200 [--opensearch-index NAME]
 * </pre>
 *
 * The URL may also come from {@code WINNOW_OPENSEARCH_URL}. Values are checked when used, with
 * messages naming the option, the bad value and what is allowed.
 */
public final class BackendOptions {

  /** The two homes of a first stage. */
  public enum Backend {
    EMBEDDED,
    OPENSEARCH;

    static Backend parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "embedded" -> EMBEDDED;
        case "opensearch" -> OPENSEARCH;
        default ->
            throw new IllegalArgumentException(
                "--backend must be one of embedded, opensearch; got '" + s + "'");
      };
    }
  }

  @Option(
      names = "--backend",
      defaultValue = "embedded",
      paramLabel = "embedded|opensearch",
      description =
          "where the index lives: the embedded Lucene index or an OpenSearch cluster"
              + " (default: ${DEFAULT-VALUE})")
  String backend = "embedded";

  @Option(
      names = "--opensearch-url",
      defaultValue = "${env:WINNOW_OPENSEARCH_URL}",
      paramLabel = "URL[,URL]",
      description =
          "OpenSearch node URL(s), comma-separated; searches move to another node when"
              + " one fails (default: $WINNOW_OPENSEARCH_URL)")
  String openSearchUrl;

  @Option(
      names = "--opensearch-index",
      defaultValue = OpenSearchConfig.DEFAULT_INDEX,
      paramLabel = "NAME",
      description = "OpenSearch index name (default: ${DEFAULT-VALUE})")
  String openSearchIndex = OpenSearchConfig.DEFAULT_INDEX;

  @Option(
      names = "--opensearch-shards",
      defaultValue = "1",
      paramLabel = "N",
      description = "primary shards when Winnow creates the index (default: ${DEFAULT-VALUE})")
  int openSearchShards = 1;

  @Option(
      names = "--opensearch-replicas",
      defaultValue = "0",
      paramLabel = "N",
      description = "replicas when Winnow creates the index (default: ${DEFAULT-VALUE})")
  int openSearchReplicas;

  public Backend backend() {
    return Backend.parse(backend);
  }

  public boolean isOpenSearch() {
    return backend() == Backend.OPENSEARCH;
  }

  /** The cluster these options name; fails when {@code --backend opensearch} has no URL. */
  public OpenSearchConfig openSearchConfig() {
    if (openSearchUrl == null || openSearchUrl.isBlank()) {
      throw new IllegalArgumentException(
          "--backend opensearch needs --opensearch-url URL[,URL] (or WINNOW_OPENSEARCH_URL),"
              + " e.g. http://127.0.0.1:9200 as scripts/opensearch.sh start prints it");
    }
    return OpenSearchConfig.of(openSearchUrl, openSearchIndex)
        .withShards(openSearchShards)
        .withReplicas(openSearchReplicas);
  }
}
