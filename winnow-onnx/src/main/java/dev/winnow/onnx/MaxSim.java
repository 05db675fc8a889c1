package dev.winnow.onnx;

import dev.winnow.api.TokenMatch;
import dev.winnow.api.TokenVectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Late interaction's score: MaxSim, the sum over query vectors of the best dot product with any
 * document vector ({@code sum_i max_t q_i . d_t}); with L2-normalised vectors each term is a
 * cosine.
 *
 * <p>A document is first laid out for scoring ({@link #prepare}): dimension-major ({@code columns[j
 * * padded + t]}), its tokens padded to a multiple of {@value #ALIGN} by repeating its last token
 * (a repeat cannot change a maximum). The kernel then computes a block of 4 query tokens against 4
 * vectors of document tokens at a time, each query component broadcast and multiplied into the
 * document vectors with FMA, so 8 loads feed 16 FMAs and no horizontal sum is needed inside the
 * loop; each query token's maximum is reduced across lanes once per document.
 *
 * <ul>
 *   <li>{@link Kernel#VECTOR}: the kernel above with the Java Vector API ({@code
 *       jdk.incubator.vector} at the platform's preferred width). It needs {@code --add-modules
 *       jdk.incubator.vector}, which {@code ./winnow}, the tests and the benchmarks pass.
 *   <li>{@link Kernel#SCALAR}: the same layout with a plain loop over document tokens ({@code
 *       Math.fma} into a row of partial dot products); used when the incubator module is absent
 *       (e.g. {@code java -jar winnow.jar} without the flag). C2 on Java 17 does not make
 *       full-width vector code of it: 9x slower than VECTOR (docs/performance.md).
 * </ul>
 *
 * Both give the same maxima up to float rounding (the order of the sum over dimensions is the same;
 * FMA rounding is the same in both). Stateless and thread-safe.
 */
public final class MaxSim {

  /** Document tokens are padded to a multiple of this (the widest vector, 512 bits of floats). */
  public static final int ALIGN = 16;

  /** Which implementation computes the maxima. */
  public enum Kernel {
    VECTOR,
    SCALAR
  }

  private static final Kernel DEFAULT =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
              && !"scalar".equals(System.getProperty("winnow.maxsim"))
          ? Kernel.VECTOR
          : Kernel.SCALAR;

  private MaxSim() {}

  /** The kernel used by default: VECTOR when the incubator module is loaded. */
  public static Kernel defaultKernel() {
    return DEFAULT;
  }

  /**
   * A document's token vectors in the scoring layout (see the class javadoc). Immutable.
   *
   * @param columns {@code dimension x padded} floats, dimension-major
   * @param tokens the real token count
   * @param padded {@code tokens} rounded up to a multiple of {@link #ALIGN}
   */
  public record Document(float[] columns, int tokens, int padded, int dimension) {

    /** Bytes this layout holds. */
    public long bytes() {
      return (long) columns.length * Float.BYTES;
    }
  }

  /** Lays {@code document} out for scoring. */
  public static Document prepare(TokenVectors document) {
    Objects.requireNonNull(document, "document");
    return prepare(document.values(), document.count(), document.dimension());
  }

  /** Lays out {@code tokens} row-major vectors of {@code dimension} floats for scoring. */
  public static Document prepare(float[] rows, int tokens, int dimension) {
    if (rows.length != tokens * dimension) {
      throw new IllegalArgumentException(
          "rows must hold " + tokens + " x " + dimension + " floats, got " + rows.length);
    }
    int padded = (tokens + ALIGN - 1) / ALIGN * ALIGN;
    float[] columns = new float[dimension * padded];
    for (int t = 0; t < padded; t++) {
      int src = Math.min(t, tokens - 1) * dimension;
      for (int j = 0; j < dimension; j++) {
        columns[j * padded + t] = rows[src + j];
      }
    }
    return new Document(columns, tokens, padded, dimension);
  }

  /** MaxSim of {@code query} against {@code document} with the default kernel. */
  public static double score(TokenVectors query, Document document) {
    return score(query, document, DEFAULT);
  }

  /**
   * MaxSim of {@code query} against {@code document}: the sum of {@link #maxima}. A document
   * without tokens scores 0.
   */
  public static double score(TokenVectors query, Document document, Kernel kernel) {
    float[] max = maxima(query, document, kernel);
    double sum = 0;
    for (float m : max) {
      sum += m;
    }
    return sum;
  }

  /**
   * For each query token, its best dot product with a document token (0 for every query token when
   * the document has no tokens).
   */
  public static float[] maxima(TokenVectors query, Document document, Kernel kernel) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(document, "document");
    if (query.dimension() != document.dimension()) {
      throw new IllegalArgumentException(
          "query vectors have "
              + query.dimension()
              + " dimensions, document vectors "
              + document.dimension());
    }
    float[] max = new float[query.count()];
    if (document.tokens() == 0) {
      return max;
    }
    if (kernel == Kernel.VECTOR) {
      VectorMaxSim.maxima(query.values(), query.count(), document, max);
    } else {
      scalarMaxima(query.values(), query.count(), document, max);
    }
    return max;
  }

  /**
   * For each query token, the position of the document token it matched best (the first on ties)
   * and that similarity: what an explanation shows. A document without tokens matches nothing.
   */
  public static List<TokenMatch> matches(
      TokenVectors query, TokenVectors document, Document prepared) {
    if (document.count() != prepared.tokens()) {
      throw new IllegalArgumentException(
          "document has " + document.count() + " tokens, its layout " + prepared.tokens());
    }
    if (document.count() == 0) {
      return List.of();
    }
    int dim = prepared.dimension();
    int p = prepared.padded();
    float[] q = query.values();
    float[] c = prepared.columns();
    float[] s = new float[p];
    List<TokenMatch> out = new ArrayList<>(query.count());
    for (int i = 0; i < query.count(); i++) {
      dotsInto(q, i * dim, c, p, dim, s);
      int best = 0;
      for (int t = 1; t < prepared.tokens(); t++) {
        if (s[t] > s[best]) {
          best = t;
        }
      }
      out.add(new TokenMatch(i, query.tokens().get(i), best, document.tokens().get(best), s[best]));
    }
    return out;
  }

  /** {@code s[t] = q[at..at+dim) . column t}, for every padded token t; a loop C2 vectorises. */
  private static void dotsInto(float[] q, int at, float[] c, int p, int dim, float[] s) {
    Arrays.fill(s, 0f);
    for (int j = 0; j < dim; j++) {
      float qj = q[at + j];
      int row = j * p;
      for (int t = 0; t < p; t++) {
        s[t] = Math.fma(qj, c[row + t], s[t]);
      }
    }
  }

  private static void scalarMaxima(float[] q, int nq, Document d, float[] max) {
    int p = d.padded();
    float[] s = new float[p];
    for (int i = 0; i < nq; i++) {
      dotsInto(q, i * d.dimension(), d.columns(), p, d.dimension(), s);
      float m = Float.NEGATIVE_INFINITY;
      for (int t = 0; t < p; t++) {
        m = Math.max(m, s[t]);
      }
      max[i] = m;
    }
  }
}
