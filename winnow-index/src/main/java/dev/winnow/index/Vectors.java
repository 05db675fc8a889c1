package dev.winnow.index;

/** Vector checks and L2 normalisation shared by ingestion and vector search. */
final class Vectors {

  private Vectors() {}

  /**
   * A unit-length copy of {@code v}; {@code what} names it in errors (a non-finite component, norm
   * 0). Accumulates in double so that long vectors lose no precision before the division.
   */
  static float[] normalise(float[] v, String what) {
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      float x = v[i];
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException(what + " has a non-finite component " + x + " at " + i);
      }
      sum += (double) x * x;
    }
    if (sum == 0) {
      throw new IllegalArgumentException(what + " has norm 0 and cannot be normalised");
    }
    double inv = 1.0 / Math.sqrt(sum);
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * inv);
    }
    return out;
  }

  /** The dot product accumulated in double. */
  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
