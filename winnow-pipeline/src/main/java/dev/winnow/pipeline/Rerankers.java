package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks and the final ordering step every reranker here shares. */
final class Rerankers {

  private Rerankers() {}

  static void checkInput(List<Hit> candidates, int topN) {
    if (topN < 1) {
      throw new IllegalArgumentException("topN must be >= 1, got " + topN);
    }
    Set<String> seen = new HashSet<>();
    for (Hit h : candidates) {
      if (!seen.add(h.id())) {
        throw new IllegalArgumentException(
            "candidates hold id '" + h.id() + "' twice; ids must be unique");
      }
    }
  }

  /** Sorts by {@link Hit#ORDER} and keeps {@code topN}. */
  static List<Hit> best(List<Hit> rescored, int topN) {
    List<Hit> sorted = new ArrayList<>(rescored);
    sorted.sort(Hit.ORDER);
    return List.copyOf(sorted.subList(0, Math.min(topN, sorted.size())));
  }
}
