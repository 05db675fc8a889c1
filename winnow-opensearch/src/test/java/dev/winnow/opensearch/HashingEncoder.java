package dev.winnow.opensearch;

import dev.winnow.api.Encoder;
import java.util.List;
import java.util.Locale;

/**
 * A deterministic test encoder: lower-cased words hashed into {@code dimension} buckets, then
 * L2-normalised. Texts sharing words get close vectors, which is all the k-NN tests need; real
 * models live in winnow-onnx.
 */
final class HashingEncoder implements Encoder {

  private final int dimension;
  private final String name;

  HashingEncoder(int dimension, String name) {
    this.dimension = dimension;
    this.name = name;
  }

  HashingEncoder() {
    this(32, "hashing-32");
  }

  float[] encode(String text) {
    float[] v = new float[dimension];
    for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
      if (!w.isEmpty()) {
        v[Math.floorMod(w.hashCode(), dimension)] += 1f;
      }
    }
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    if (norm == 0) {
      v[0] = 1f;
      return v;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] / Math.sqrt(norm));
    }
    return v;
  }

  @Override
  public float[][] encodeQueries(List<String> queries) {
    return queries.stream().map(this::encode).toArray(float[][]::new);
  }

  @Override
  public float[][] encodeDocuments(List<String> documents) {
    return encodeQueries(documents);
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void close() {}
}
