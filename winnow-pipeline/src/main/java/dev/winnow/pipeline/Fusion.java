package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import dev.winnow.api.Provenance;
import dev.winnow.api.SourceRank;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Combines several first-stage lists into one, ordered by {@link Hit#ORDER}. Every fused hit's
 * provenance records the fused score and, as {@link SourceRank}s, where each input list placed it.
 * Implementations are immutable and thread-safe.
 */
public interface Fusion {

  /**
   * Fuses {@code lists} and keeps the best {@code k}. A hit missing from some lists is handled by
   * each implementation's documented rule; the text of a fused hit is taken from the first list
   * that holds it.
   */
  List<Hit> fuse(List<RankedList> lists, int k);

  /** A short name with the parameters, e.g. {@code rrf(k=60)}; fused hits carry it. */
  String name();

  /**
   * How {@code provenance}'s fused score follows from its sources, as one line of arithmetic whose
   * last number is the fused score.
   */
  String explain(Provenance provenance);

  /** A document as seen across the input lists: its text and per-list places. */
  record Candidate(String id, String text, SourceRank[] places) {

    /** The best (smallest) rank any list gave it, the first tie-break after the fused score. */
    int bestRank() {
      int best = Integer.MAX_VALUE;
      for (SourceRank p : places) {
        if (p != null) {
          best = Math.min(best, p.rank());
        }
      }
      return best;
    }

    List<SourceRank> present() {
      List<SourceRank> out = new ArrayList<>();
      for (SourceRank p : places) {
        if (p != null) {
          out.add(p);
        }
      }
      return out;
    }
  }

  /** Collects the union of all lists in first-seen order, each with its per-list places. */
  static Collection<Candidate> union(List<RankedList> lists) {
    Map<String, Candidate> byId = new LinkedHashMap<>();
    for (int l = 0; l < lists.size(); l++) {
      RankedList list = lists.get(l);
      for (int i = 0; i < list.hits().size(); i++) {
        Hit h = list.hits().get(i);
        Candidate c =
            byId.computeIfAbsent(
                h.id(), id -> new Candidate(id, h.text(), new SourceRank[lists.size()]));
        c.places()[l] = new SourceRank(list.retriever(), i + 1, h.score());
      }
    }
    return byId.values();
  }

  /**
   * Orders scored candidates (fused score descending, best source rank, id), keeps {@code k} and
   * builds hits whose first-stage rank is their place in the fused list, so the result is in {@link
   * Hit#ORDER}.
   */
  static List<Hit> rank(String name, List<Candidate> candidates, double[] scores, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    Integer[] order = new Integer[candidates.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
      if (!Double.isFinite(scores[i])) {
        throw new IllegalStateException(
            "fused score of '" + candidates.get(i).id() + "' is " + scores[i]);
      }
    }
    java.util.Arrays.sort(
        order,
        Comparator.comparingDouble((Integer i) -> -scores[i])
            .thenComparingInt(i -> candidates.get(i).bestRank())
            .thenComparing(i -> candidates.get(i).id()));
    int n = Math.min(k, order.length);
    List<Hit> out = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      Candidate c = candidates.get(order[r]);
      double s = scores[order[r]];
      out.add(new Hit(c.id(), c.text(), s, Provenance.fused(name, r + 1, s, c.present())));
    }
    return List.copyOf(out);
  }
}
