package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Retriever;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A first stage that runs several retrievers (BM25 and dense, say) to the same depth and fuses
 * their lists. Each input retriever is asked for {@code max(k, depth)} hits, so fusion sees the
 * deeper lists when {@code depth} is set above {@code k}. Thread-safe when its retrievers are.
 */
public final class HybridRetriever implements Retriever {

  private final List<Retriever> retrievers;
  private final Fusion fusion;
  private final int depth;

  /**
   * @param depth how many hits each input retriever returns before fusion (at least {@code k} is
   *     always asked for)
   */
  public HybridRetriever(List<Retriever> retrievers, Fusion fusion, int depth) {
    if (retrievers.size() < 2) {
      throw new IllegalArgumentException(
          "a hybrid needs at least 2 retrievers, got " + retrievers.size());
    }
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be >= 1, got " + depth);
    }
    this.retrievers = List.copyOf(retrievers);
    this.fusion = Objects.requireNonNull(fusion, "fusion");
    this.depth = depth;
  }

  public HybridRetriever(List<Retriever> retrievers, Fusion fusion) {
    this(retrievers, fusion, 1);
  }

  public Fusion fusion() {
    return fusion;
  }

  @Override
  public List<Hit> retrieve(Query query, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    List<RankedList> lists = new ArrayList<>(retrievers.size());
    for (Retriever r : retrievers) {
      lists.add(new RankedList(r.name(), r.retrieve(query, Math.max(k, depth))));
    }
    return fusion.fuse(lists, k);
  }

  @Override
  public String name() {
    StringBuilder sb = new StringBuilder("hybrid:").append(fusion.name()).append('[');
    for (int i = 0; i < retrievers.size(); i++) {
      sb.append(i == 0 ? "" : "+").append(retrievers.get(i).name());
    }
    return sb.append(']').toString();
  }
}
