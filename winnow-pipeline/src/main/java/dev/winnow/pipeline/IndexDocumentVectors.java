package dev.winnow.pipeline;

import dev.winnow.index.StoredVectors;
import dev.winnow.index.WinnowIndex;
import java.util.List;
import java.util.Optional;

/**
 * The vectors a {@link WinnowIndex} stores, as {@link DocumentVectors} for {@link
 * BiEncoderReranker}: rescoring with the model that filled the index reads them instead of
 * embedding the candidates again. Thread-safe, like the index.
 */
public final class IndexDocumentVectors implements DocumentVectors {

  private final StoredVectors stored;
  private final String encoder;

  private IndexDocumentVectors(StoredVectors stored, String encoder) {
    this.stored = stored;
    this.encoder = encoder;
  }

  /**
   * The index's vectors when they come from {@code encoder}; otherwise none (the reranker then
   * embeds candidates itself).
   */
  public static DocumentVectors of(WinnowIndex index, String encoder) {
    StoredVectors s = new StoredVectors(index);
    if (s.model().isPresent() && s.model().get().equals(encoder)) {
      return new IndexDocumentVectors(s, encoder);
    }
    return DocumentVectors.none(encoder);
  }

  @Override
  public Optional<float[]> vector(String id) {
    return stored.vectors(List.of(id)).get(0);
  }

  @Override
  public List<Optional<float[]>> vectors(List<String> ids) {
    return stored.vectors(ids);
  }

  @Override
  public String encoder() {
    return encoder;
  }
}
