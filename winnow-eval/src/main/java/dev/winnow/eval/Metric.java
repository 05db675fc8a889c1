package dev.winnow.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One evaluation measure at a cutoff, computed exactly as trec_eval 9 computes its namesake on the
 * ranking as presented (trec_eval itself would first re-sort by score, then docno descending; see
 * {@link TrecRun} for how our run files keep the two orders identical).
 *
 * <ul>
 *   <li>{@code ndcg@k} = trec_eval {@code ndcg_cut.k}: gain = the judged grade (unjudged and grade
 *       {@code <= 0}: no gain), discount {@code log2(rank + 1)}, ideal = the query's judged grades
 *       sorted descending, cut at k; 0 when the ideal is 0.
 *   <li>{@code mrr@k} = trec_eval {@code recip_rank} on the top k: 1 / rank of the first relevant
 *       (grade {@code >= 1}) document, 0 if none in the top k.
 *   <li>{@code recall@k} = trec_eval {@code recall.k}: relevant documents in the top k / all
 *       relevant documents of the query; 0 when it has none.
 *   <li>{@code map@k} = trec_eval {@code map_cut.k}: sum over relevant documents in the top k of
 *       the precision at their rank, divided by all relevant documents of the query (not by the
 *       number retrieved); 0 when it has none.
 *   <li>{@code p@k} = trec_eval {@code P.k}: relevant documents in the top k / k.
 * </ul>
 */
public record Metric(Kind kind, int cutoff) {

  /** The measures Winnow reports. */
  public enum Kind {
    NDCG("ndcg", "ndcg_cut"),
    MRR("mrr", "recip_rank"),
    RECALL("recall", "recall"),
    MAP("map", "map_cut"),
    PRECISION("p", "P");

    private final String label;
    private final String trecEval;

    Kind(String label, String trecEval) {
      this.label = label;
      this.trecEval = trecEval;
    }
  }

  public static final Metric NDCG_10 = new Metric(Kind.NDCG, 10);
  public static final Metric MRR_10 = new Metric(Kind.MRR, 10);
  public static final Metric RECALL_100 = new Metric(Kind.RECALL, 100);
  public static final Metric MAP_100 = new Metric(Kind.MAP, 100);

  /** The four measures every evaluation reports, in report order. */
  public static final List<Metric> STANDARD = List.of(NDCG_10, MRR_10, RECALL_100, MAP_100);

  public Metric {
    Objects.requireNonNull(kind, "kind");
    if (cutoff < 1) {
      throw new IllegalArgumentException("metric cutoff must be >= 1, got " + cutoff);
    }
  }

  /**
   * The cutoff of a measure over the whole ranking (trec_eval's {@code map}, {@code recip_rank}).
   */
  public static final int ALL = Integer.MAX_VALUE;

  private static final String ALLOWED =
      "one of ndcg@K, mrr@K, recall@K, map@K, p@K (K >= 1) or trec_eval's ndcg_cut.K, ndcg,"
          + " recip_rank, recall.K, map_cut.K, map, P.K";

  /**
   * Parses Winnow's labels ({@code ndcg@10}, {@code mrr@10}, {@code recall@100}, {@code map@100},
   * {@code p@5}) and trec_eval's measure names ({@code ndcg_cut.10}, {@code ndcg}, {@code
   * recip_rank}, {@code recall.100}, {@code map_cut.100}, {@code map}, {@code P.5}); the measures
   * without a cutoff read the whole ranking.
   */
  public static Metric parse(String label) {
    Objects.requireNonNull(label, "label");
    String trimmed = label.trim();
    switch (trimmed) {
      case "map":
        return new Metric(Kind.MAP, ALL);
      case "recip_rank":
        return new Metric(Kind.MRR, ALL);
      case "ndcg":
        return new Metric(Kind.NDCG, ALL);
      default:
        break;
    }
    int dot = trimmed.lastIndexOf('.');
    if (dot > 0 && trimmed.indexOf('@') < 0) {
      String name = trimmed.substring(0, dot);
      for (Kind kind : Kind.values()) {
        if (kind.trecEval.equals(name) && kind != Kind.MRR) {
          return new Metric(kind, cutoff(trimmed.substring(dot + 1), label));
        }
      }
      throw bad(label);
    }
    String s = trimmed.toLowerCase(Locale.ROOT);
    int at = s.indexOf('@');
    if (at < 0) {
      throw bad(label);
    }
    String name = s.substring(0, at);
    for (Kind kind : Kind.values()) {
      if (kind.label.equals(name)) {
        return new Metric(kind, cutoff(s.substring(at + 1), label));
      }
    }
    throw bad(label);
  }

  private static int cutoff(String k, String label) {
    try {
      int cutoff = Integer.parseInt(k);
      if (cutoff >= 1) {
        return cutoff;
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("metric must be " + ALLOWED + "; got '" + label + "'", e);
    }
    throw bad(label);
  }

  private static IllegalArgumentException bad(String label) {
    return new IllegalArgumentException("metric must be " + ALLOWED + "; got '" + label + "'");
  }

  /** {@code ndcg@10} and so on; {@code map}, {@code mrr}, {@code ndcg} without a cutoff. */
  public String label() {
    return cutoff == ALL ? kind.label : kind.label + "@" + cutoff;
  }

  /** The trec_eval name of the same measure, e.g. {@code ndcg_cut.10}. */
  public String trecEvalName() {
    if (cutoff == ALL) {
      return switch (kind) {
        case MRR -> "recip_rank";
        case MAP -> "map";
        case NDCG -> "ndcg";
        default -> kind.trecEval;
      };
    }
    return kind == Kind.MRR ? "recip_rank (top " + cutoff + ")" : kind.trecEval + "." + cutoff;
  }

  @Override
  public String toString() {
    return label();
  }

  /**
   * The measure for one query: {@code ranking} is the presented order of document ids (best first,
   * no repeats), {@code judgments} the query's document grades.
   */
  public double compute(List<String> ranking, Map<String, Integer> judgments) {
    Objects.requireNonNull(ranking, "ranking");
    Objects.requireNonNull(judgments, "judgments");
    checkUnique(ranking);
    int n = Math.min(cutoff, ranking.size());
    return switch (kind) {
      case NDCG -> ndcg(ranking, judgments, n);
      case MRR -> reciprocalRank(ranking, judgments, n);
      case RECALL -> recall(ranking, judgments, n);
      case MAP -> averagePrecision(ranking, judgments, n);
      case PRECISION -> relevantIn(ranking, judgments, n) / (double) cutoff;
    };
  }

  private double ndcg(List<String> ranking, Map<String, Integer> judgments, int n) {
    double dcg = 0;
    for (int i = 0; i < n; i++) {
      int g = judgments.getOrDefault(ranking.get(i), 0);
      if (g > 0) {
        dcg += g / log2(i + 2);
      }
    }
    List<Integer> grades = new ArrayList<>();
    for (int g : judgments.values()) {
      if (g > 0) {
        grades.add(g);
      }
    }
    grades.sort((a, b) -> Integer.compare(b, a));
    double ideal = 0;
    for (int i = 0; i < Math.min(cutoff, grades.size()); i++) {
      ideal += grades.get(i) / log2(i + 2);
    }
    return ideal > 0 ? dcg / ideal : 0;
  }

  private static double reciprocalRank(List<String> ranking, Map<String, Integer> j, int n) {
    for (int i = 0; i < n; i++) {
      if (j.getOrDefault(ranking.get(i), 0) >= 1) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  private static double recall(List<String> ranking, Map<String, Integer> j, int n) {
    int relevant = relevant(j);
    return relevant == 0 ? 0 : relevantIn(ranking, j, n) / (double) relevant;
  }

  private static double averagePrecision(List<String> ranking, Map<String, Integer> j, int n) {
    int relevant = relevant(j);
    if (relevant == 0) {
      return 0;
    }
    double sum = 0;
    int found = 0;
    for (int i = 0; i < n; i++) {
      if (j.getOrDefault(ranking.get(i), 0) >= 1) {
        found++;
        sum += found / (double) (i + 1);
      }
    }
    return sum / relevant;
  }

  private static int relevantIn(List<String> ranking, Map<String, Integer> j, int n) {
    int found = 0;
    for (int i = 0; i < n; i++) {
      if (j.getOrDefault(ranking.get(i), 0) >= 1) {
        found++;
      }
    }
    return found;
  }

  private static int relevant(Map<String, Integer> j) {
    int r = 0;
    for (int g : j.values()) {
      if (g >= 1) {
        r++;
      }
    }
    return r;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  private static void checkUnique(List<String> ranking) {
    Set<String> seen = new HashSet<>();
    for (String id : ranking) {
      if (!seen.add(id)) {
        throw new IllegalArgumentException("ranking lists document '" + id + "' twice");
      }
    }
  }
}
