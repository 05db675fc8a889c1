package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import java.util.List;
import java.util.Objects;

/**
 * A rerank stage whose score is fused with the earlier tier's ({@link RerankFusion}): the inner
 * reranker scores every candidate, then each hit's score becomes the fused one, with both
 * normalised inputs and the weight in its provenance. Thread-safe when the inner reranker is.
 */
public final class FusingReranker implements Reranker {

  private final Reranker inner;
  private final RerankFusion fusion;

  public FusingReranker(Reranker inner, RerankFusion fusion) {
    this.inner = Objects.requireNonNull(inner, "inner");
    this.fusion = Objects.requireNonNull(fusion, "fusion");
  }

  @Override
  public List<Hit> rerank(Query query, List<Hit> candidates, int topN) {
    Rerankers.checkInput(candidates, topN);
    if (candidates.isEmpty()) {
      return List.of();
    }
    List<Hit> fused = fusion.fuse(candidates, inner.rerank(query, candidates, candidates.size()));
    return List.copyOf(fused.subList(0, Math.min(topN, fused.size())));
  }

  @Override
  public String name() {
    return inner.name();
  }
}
