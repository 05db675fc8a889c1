package dev.winnow.onnx;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link MaxSim}'s Vector API kernel: 4 query tokens x 4 vectors of document tokens per block, 16
 * accumulators in registers. Loaded only when the incubator module is present ({@link
 * MaxSim#defaultKernel()}). Stateless and thread-safe.
 */
final class VectorMaxSim {

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  static {
    if (MaxSim.ALIGN % L != 0) {
      throw new IllegalStateException(
          "MaxSim.ALIGN " + MaxSim.ALIGN + " is not a multiple of the vector length " + L);
    }
  }

  private VectorMaxSim() {}

  static void maxima(float[] q, int nq, MaxSim.Document d, float[] out) {
    int i = 0;
    for (; i + 4 <= nq; i += 4) {
      block4(q, i, d, out);
    }
    for (; i < nq; i++) {
      block1(q, i, d, out);
    }
  }

  /** Query tokens {@code i..i+3}. */
  private static void block4(float[] q, int i, MaxSim.Document d, float[] out) {
    int dim = d.dimension();
    int p = d.padded();
    float[] c = d.columns();
    int q0 = i * dim;
    int q1 = q0 + dim;
    int q2 = q1 + dim;
    int q3 = q2 + dim;
    FloatVector m0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    FloatVector m1 = m0;
    FloatVector m2 = m0;
    FloatVector m3 = m0;
    int t = 0;
    for (; t + 4 * L <= p; t += 4 * L) {
      FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
      FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
      FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
      FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
      for (int j = 0, row = t; j < dim; j++, row += p) {
        FloatVector d0 = FloatVector.fromArray(S, c, row);
        FloatVector d1 = FloatVector.fromArray(S, c, row + L);
        FloatVector d2 = FloatVector.fromArray(S, c, row + 2 * L);
        FloatVector d3 = FloatVector.fromArray(S, c, row + 3 * L);
        FloatVector b = FloatVector.broadcast(S, q[q0 + j]);
        a00 = d0.fma(b, a00);
        a01 = d1.fma(b, a01);
        a02 = d2.fma(b, a02);
        a03 = d3.fma(b, a03);
        b = FloatVector.broadcast(S, q[q1 + j]);
        a10 = d0.fma(b, a10);
        a11 = d1.fma(b, a11);
        a12 = d2.fma(b, a12);
        a13 = d3.fma(b, a13);
        b = FloatVector.broadcast(S, q[q2 + j]);
        a20 = d0.fma(b, a20);
        a21 = d1.fma(b, a21);
        a22 = d2.fma(b, a22);
        a23 = d3.fma(b, a23);
        b = FloatVector.broadcast(S, q[q3 + j]);
        a30 = d0.fma(b, a30);
        a31 = d1.fma(b, a31);
        a32 = d2.fma(b, a32);
        a33 = d3.fma(b, a33);
      }
      m0 = m0.max(a00.max(a01).max(a02.max(a03)));
      m1 = m1.max(a10.max(a11).max(a12.max(a13)));
      m2 = m2.max(a20.max(a21).max(a22.max(a23)));
      m3 = m3.max(a30.max(a31).max(a32.max(a33)));
    }
    for (; t < p; t += L) {
      FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
      for (int j = 0, row = t; j < dim; j++, row += p) {
        FloatVector v = FloatVector.fromArray(S, c, row);
        a0 = v.fma(FloatVector.broadcast(S, q[q0 + j]), a0);
        a1 = v.fma(FloatVector.broadcast(S, q[q1 + j]), a1);
        a2 = v.fma(FloatVector.broadcast(S, q[q2 + j]), a2);
        a3 = v.fma(FloatVector.broadcast(S, q[q3 + j]), a3);
      }
      m0 = m0.max(a0);
      m1 = m1.max(a1);
      m2 = m2.max(a2);
      m3 = m3.max(a3);
    }
    out[i] = m0.reduceLanes(VectorOperators.MAX);
    out[i + 1] = m1.reduceLanes(VectorOperators.MAX);
    out[i + 2] = m2.reduceLanes(VectorOperators.MAX);
    out[i + 3] = m3.reduceLanes(VectorOperators.MAX);
  }

  /** Query token {@code i} alone (the last {@code nq % 4}). */
  private static void block1(float[] q, int i, MaxSim.Document d, float[] out) {
    int dim = d.dimension();
    int p = d.padded();
    float[] c = d.columns();
    FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    for (int t = 0; t < p; t += L) {
      FloatVector a = FloatVector.zero(S);
      for (int j = 0, row = t; j < dim; j++, row += p) {
        a = FloatVector.fromArray(S, c, row).fma(FloatVector.broadcast(S, q[i * dim + j]), a);
      }
      m = m.max(a);
    }
    out[i] = m.reduceLanes(VectorOperators.MAX);
  }
}
