package dev.winnow.pipeline;

/** Small vector helpers. */
public final class VectorMath {

  private VectorMath() {}

  /**
   * Cosine similarity, accumulated in double; 0 when either vector is all zeros (no direction to
   * compare).
   */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vectors must have the same dimension, got " + a.length + " and " + b.length);
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    if (na == 0 || nb == 0) {
      return 0;
    }
    return dot / Math.sqrt(na * nb);
  }
}
