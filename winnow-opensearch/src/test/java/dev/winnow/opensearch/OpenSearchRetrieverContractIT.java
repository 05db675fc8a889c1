package dev.winnow.opensearch;

import dev.winnow.api.Query;
import dev.winnow.api.Retriever;
import dev.winnow.testkit.RetrieverContract;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** Both OpenSearch retrievers honour the {@link RetrieverContract}, against a live cluster. */
class OpenSearchRetrieverContractIT {

  private static OpenSearchBackend backend;

  @BeforeAll
  static void ingest() {
    backend = OpenSearchBackend.connect(TestCluster.config("it-contract"));
    backend.ingest(OpenSearchBackendIT.CORPUS, Optional.of(new HashingEncoder()));
  }

  @AfterAll
  static void drop() {
    if (backend != null) {
      try (OpenSearchBackend b = backend) {
        b.deleteIndex();
      }
    }
  }

  private static List<Query> matchingQueries() {
    return List.of(Query.of("cat and dogs"), Query.of("night stars"), Query.of("studies of stars"));
  }

  @Nested
  class Bm25 extends RetrieverContract {
    @Override
    protected Retriever retriever() {
      return OpenSearchRetriever.bm25(backend);
    }

    @Override
    protected List<Query> queries() {
      return matchingQueries();
    }
  }

  @Nested
  class Dense extends RetrieverContract {
    @Override
    protected Retriever retriever() {
      return OpenSearchRetriever.dense(backend, new HashingEncoder());
    }

    @Override
    protected List<Query> queries() {
      return matchingQueries();
    }
  }
}
