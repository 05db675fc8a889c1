package dev.winnow.pipeline;

import dev.winnow.api.Encoder;
import dev.winnow.api.Retriever;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.VectorRetriever;
import dev.winnow.index.WinnowIndex;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a cascade's first stage reads from: the embedded {@link WinnowIndex} ({@link #of}) or
 * another store of the same documents (an OpenSearch cluster, in winnow-cli). {@link Cascades}
 * builds BM25, dense and hybrid first stages and bi-encoder re-scoring from it. Implementations are
 * thread-safe.
 */
public interface FirstStageSource {

  /** BM25 with Winnow's parameters over title and text. */
  Retriever bm25();

  /** The encoder whose vectors the source holds, empty when it holds none. */
  Optional<String> vectorModel();

  /** Dense retrieval with {@code encoder}, whose name is {@link #vectorModel()}. */
  Retriever dense(Encoder encoder, boolean exact);

  /** The stored vectors of {@code encoder} for re-scoring, or none when the source has others. */
  DocumentVectors documentVectors(String encoder);

  /** The embedded index as a source; the caller keeps owning it. */
  static FirstStageSource of(WinnowIndex index) {
    Objects.requireNonNull(index, "index");
    return new FirstStageSource() {
      @Override
      public Retriever bm25() {
        return new Bm25Retriever(index);
      }

      @Override
      public Optional<String> vectorModel() {
        return index.info().vectorModel();
      }

      @Override
      public Retriever dense(Encoder encoder, boolean exact) {
        return new VectorRetriever(
            index, encoder, exact ? VectorRetriever.Mode.EXACT : VectorRetriever.Mode.HNSW);
      }

      @Override
      public DocumentVectors documentVectors(String encoder) {
        return IndexDocumentVectors.of(index, encoder);
      }

      @Override
      public String toString() {
        return index.toString();
      }
    };
  }
}
