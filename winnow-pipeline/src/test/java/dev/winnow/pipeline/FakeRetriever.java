package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Retriever;
import java.util.ArrayList;
import java.util.List;

/** Returns a fixed list (ids with descending scores), cut to k. */
final class FakeRetriever implements Retriever {

  private final String name;
  private final List<Hit> hits;

  FakeRetriever(String name, List<Hit> hits) {
    this.name = name;
    this.hits = List.copyOf(hits);
  }

  /** Hits for ids in order, ranks 1.., scores given. */
  static List<Hit> hits(String retriever, String[] ids, double[] scores) {
    List<Hit> out = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      out.add(Hit.firstStage(ids[i], "text of " + ids[i], i + 1, scores[i], retriever));
    }
    return out;
  }

  @Override
  public List<Hit> retrieve(Query query, int k) {
    return hits.subList(0, Math.min(k, hits.size()));
  }

  @Override
  public String name() {
    return name;
  }
}
