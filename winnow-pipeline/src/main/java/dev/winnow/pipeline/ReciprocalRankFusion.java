package dev.winnow.pipeline;

import dev.winnow.api.Hit;
import dev.winnow.api.Provenance;
import dev.winnow.api.SourceRank;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): a document's fused score is
 * {@code sum over lists of 1 / (k + rank)}, a list that missed it adding nothing. Only ranks count,
 * so lists with incomparable scores (BM25, cosine) fuse without normalisation.
 *
 * <p>The terms are added smallest first, so the fused score does not depend on the order of the
 * input lists, bit for bit. Immutable and thread-safe.
 */
public final class ReciprocalRankFusion implements Fusion {

  /** The constant of the original paper. */
  public static final int DEFAULT_K = 60;

  private final int k;

  public ReciprocalRankFusion(int k) {
    if (k < 0) {
      throw new IllegalArgumentException("rrf k must be >= 0, got " + k);
    }
    this.k = k;
  }

  public ReciprocalRankFusion() {
    this(DEFAULT_K);
  }

  public int k() {
    return k;
  }

  @Override
  public List<Hit> fuse(List<RankedList> lists, int depth) {
    List<Candidate> candidates = new ArrayList<>(Fusion.union(lists));
    double[] scores = new double[candidates.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = score(candidates.get(i).present());
    }
    return Fusion.rank(name(), candidates, scores, depth);
  }

  private double score(List<SourceRank> places) {
    double[] terms = new double[places.size()];
    for (int i = 0; i < terms.length; i++) {
      terms[i] = 1.0 / (k + places.get(i).rank());
    }
    Arrays.sort(terms);
    double sum = 0;
    for (double t : terms) {
      sum += t;
    }
    return sum;
  }

  @Override
  public String name() {
    return "rrf(k=" + k + ")";
  }

  @Override
  public String explain(Provenance p) {
    StringBuilder sb = new StringBuilder();
    for (SourceRank s : p.sources()) {
      if (sb.length() > 0) {
        sb.append(" + ");
      }
      sb.append(String.format(Locale.ROOT, "1/(%d+%d) [%s]", k, s.rank(), s.retriever()));
    }
    sb.append(" = ").append(Explanation.number(p.fusedScore().orElse(p.firstStageScore())));
    return sb.toString();
  }
}
