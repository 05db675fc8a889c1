package dev.winnow.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.CorpusReader;
import dev.winnow.index.WinnowIndex;
import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The cluster's BM25 against the embedded index's on SciFact (5,183 documents, the 300 test
 * queries): the same documents at the same ranks with the same scores, up to float rounding in the
 * order clauses are summed (documents whose scores differ by less than that may swap places).
 */
class ScifactParityIT {

  private static final int K = 10;
  private static final double SCORE_TOLERANCE = 1e-4;

  @Test
  void bm25_onScifact_matchesTheEmbeddedIndex() throws IOException {
    String urls = TestCluster.urls();
    Path scifact = Shared.scifact();
    List<Query> queries = testQueries(scifact);
    assertThat(queries).hasSize(300);

    try (WinnowIndex embedded = WinnowIndex.inMemory();
        OpenSearchBackend cluster =
            OpenSearchBackend.connect(
                OpenSearchConfig.of(urls, TestCluster.freshIndex("it-scifact"))
                    .withBatchSize(500))) {
      embedded.ingest(scifact.resolve("corpus.jsonl"), Optional.empty(), 1000, n -> {});
      try {
        List<Document> corpus = new ArrayList<>();
        try (CorpusReader r = CorpusReader.open(scifact.resolve("corpus.jsonl"))) {
          r.forEachRemaining(corpus::add);
        }
        IngestReport report = cluster.ingest(corpus, Optional.empty());
        assertThat(report.failures()).isEmpty();
        assertThat(cluster.count()).isEqualTo(embedded.size());

        Bm25Retriever reference = new Bm25Retriever(embedded);
        OpenSearchRetriever bm25 = OpenSearchRetriever.bm25(cluster);
        int compared = 0;
        int nearTieSwaps = 0;
        for (Query q : queries) {
          List<Hit> want = reference.retrieve(q, K);
          List<Hit> got = bm25.retrieve(q, K);
          assertThat(got).as("query %s", q.id()).hasSameSizeAs(want);
          for (int i = 0; i < want.size(); i++) {
            Hit w = want.get(i);
            Hit g = got.get(i);
            assertThat(g.score())
                .as("query %s rank %d (%s vs %s)", q.id(), i + 1, g.id(), w.id())
                .isCloseTo(w.score(), org.assertj.core.api.Assertions.within(SCORE_TOLERANCE));
            if (!g.id().equals(w.id())) {
              nearTieSwaps++;
            }
            compared++;
          }
          // Swapped documents are near-ties within the list: the two lists hold the same set,
          // except possibly at the last place.
          Set<String> a = new LinkedHashSet<>(want.stream().map(Hit::id).toList());
          Set<String> b = new LinkedHashSet<>(got.stream().map(Hit::id).toList());
          a.removeAll(b);
          assertThat(a)
              .as("query %s: documents only the embedded index found", q.id())
              .hasSizeLessThanOrEqualTo(1);
        }
        System.out.printf(
            "ScifactParityIT: %d (query, rank) pairs compared, %d near-tie swaps%n",
            compared, nearTieSwaps);
        assertThat(nearTieSwaps).isLessThanOrEqualTo(compared / 100);
      } finally {
        cluster.deleteIndex();
      }
    }
  }

  static List<Query> testQueries(Path scifact) throws IOException {
    Set<String> ids = new LinkedHashSet<>();
    for (String line : Files.readAllLines(scifact.resolve("qrels/test.tsv"))) {
      String[] f = line.split("\t");
      if (f.length >= 3 && !f[0].equals("query-id")) {
        ids.add(f[0]);
      }
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, String> text = new java.util.HashMap<>();
    for (String line : Files.readAllLines(scifact.resolve("queries.jsonl"))) {
      if (!line.isBlank()) {
        JsonNode n = json.readTree(line);
        text.put(n.path("_id").asText(), n.path("text").asText());
      }
    }
    List<Query> out = new ArrayList<>();
    for (String id : ids) {
      out.add(new Query(id, text.get(id)));
    }
    return out;
  }
}
