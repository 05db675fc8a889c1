package dev.winnow.cli;

import dev.winnow.api.Encoder;
import dev.winnow.api.Retriever;
import dev.winnow.opensearch.OpenSearchBackend;
import dev.winnow.opensearch.OpenSearchRetriever;
import dev.winnow.opensearch.VectorSpec;
import dev.winnow.pipeline.DocumentVectors;
import dev.winnow.pipeline.FirstStageSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An OpenSearch index as a cascade's first stage: BM25 and k-NN run in the cluster, hybrid fusion
 * and re-scoring run in Winnow, and bi-encoder re-scoring reads the vectors the cluster stores (one
 * request per query). Thread-safe, like the backend; the caller keeps owning the backend.
 */
final class OpenSearchFirstStage implements FirstStageSource {

  private final OpenSearchBackend backend;

  OpenSearchFirstStage(OpenSearchBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  @Override
  public Retriever bm25() {
    return OpenSearchRetriever.bm25(backend);
  }

  @Override
  public Optional<String> vectorModel() {
    return backend.vectors().map(VectorSpec::encoder);
  }

  @Override
  public Retriever dense(Encoder encoder, boolean exact) {
    if (exact) {
      throw new IllegalArgumentException(
          "vector-search exact is not offered by --backend opensearch (its k-NN is HNSW); use hnsw");
    }
    return OpenSearchRetriever.dense(backend, encoder);
  }

  @Override
  public DocumentVectors documentVectors(String encoder) {
    if (!vectorModel().equals(Optional.of(encoder))) {
      return DocumentVectors.none(encoder);
    }
    return new DocumentVectors() {
      @Override
      public Optional<float[]> vector(String id) {
        return Optional.ofNullable(backend.storedVectors(List.of(id)).get(id));
      }

      @Override
      public List<Optional<float[]>> vectors(List<String> ids) {
        Map<String, float[]> found = backend.storedVectors(ids);
        List<Optional<float[]>> out = new ArrayList<>(ids.size());
        for (String id : ids) {
          out.add(Optional.ofNullable(found.get(id)));
        }
        return out;
      }

      @Override
      public String encoder() {
        return encoder;
      }
    };
  }

  @Override
  public String toString() {
    return backend.toString();
  }
}
