package dev.winnow.opensearch;

import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Retriever;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A first stage served by an OpenSearch index: {@link #bm25 BM25} over the analysed text, or {@link
 * #dense k-NN} over vectors a Winnow {@link Encoder} made. A hybrid is Winnow's own fusion over the
 * two lists (the pipeline's {@code HybridRetriever} with these two retrievers), so no OpenSearch
 * search pipeline or neural-search plugin is needed.
 *
 * <p>Thread-safe when its backend and encoder are (both are).
 */
public final class OpenSearchRetriever implements Retriever {

  private final OpenSearchBackend backend;
  private final Optional<Encoder> encoder;
  private final String name;

  private OpenSearchRetriever(OpenSearchBackend backend, Optional<Encoder> encoder, String name) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.encoder = encoder;
    this.name = name;
  }

  /** BM25 (k1 0.9, b 0.4) over title and text, analysed as the embedded index does. */
  public static OpenSearchRetriever bm25(OpenSearchBackend backend) {
    return new OpenSearchRetriever(backend, Optional.empty(), "opensearch-bm25");
  }

  /**
   * k-NN over the index's vectors with queries encoded by {@code encoder}. Fails at once when the
   * index holds no vectors or vectors of another encoder or dimension.
   */
  public static OpenSearchRetriever dense(OpenSearchBackend backend, Encoder encoder) {
    Objects.requireNonNull(encoder, "encoder");
    VectorSpec want = new VectorSpec(encoder.name(), encoder.dimension());
    Optional<VectorSpec> have = backend.vectors();
    if (have.isEmpty()) {
      throw new OpenSearchClusterException(
          backend.where() + " holds no vectors; ingest with an encoder for dense search");
    }
    if (!have.get().equals(want)) {
      throw new OpenSearchClusterException(
          backend.where()
              + " holds vectors of "
              + have.get().encoder()
              + " (dimension "
              + have.get().dimension()
              + "), not of "
              + want.encoder()
              + " (dimension "
              + want.dimension()
              + "); search with the encoder it was built with");
    }
    return new OpenSearchRetriever(
        backend, Optional.of(encoder), "opensearch-dense:" + encoder.name());
  }

  @Override
  public List<Hit> retrieve(Query query, int k) {
    Objects.requireNonNull(query, "query");
    if (encoder.isEmpty()) {
      return backend.searchText(query.text(), k, name);
    }
    OpenSearchBackend.checkK(k);
    float[][] v = encoder.get().encodeQueries(List.of(query.text()));
    return backend.searchVector(v[0], k, name);
  }

  @Override
  public String name() {
    return name;
  }
}
