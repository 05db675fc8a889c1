package dev.winnow.opensearch;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The cluster the integration tests run against: {@code -Dwinnow.opensearch.url} or {@code
 * WINNOW_OPENSEARCH_URL} (comma-separated node URLs; {@code scripts/opensearch.sh start} prints
 * them). Without one the tests are skipped with a message; under {@code CI=true}, where {@code
 * .ci/run} starts a cluster, they fail instead.
 */
final class TestCluster {

  private TestCluster() {}

  static String urls() {
    String url = System.getProperty("winnow.opensearch.url", "");
    if (url.isBlank() || url.startsWith("${")) {
      url = System.getenv().getOrDefault("WINNOW_OPENSEARCH_URL", "");
    }
    if (url.isBlank()) {
      String message =
          "needs a running OpenSearch cluster: start one with scripts/opensearch.sh start and set"
              + " WINNOW_OPENSEARCH_URL (or -Dwinnow.opensearch.url) to the URL it prints";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + "; CI=true, where .ci/run starts one");
      }
      Assumptions.abort(message + ": skipped");
    }
    return url;
  }

  /** A fresh index name, so tests never see each other's documents. */
  static String freshIndex(String prefix) {
    return (prefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
  }

  static OpenSearchConfig config(String prefix) {
    return OpenSearchConfig.of(urls(), freshIndex(prefix));
  }
}
