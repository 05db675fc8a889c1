package dev.winnow.pipeline;

import dev.winnow.api.Encoder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link Encoder} that remembers its last {@code capacity} query embeddings, so a pipeline that
 * reads one model twice (dense retrieval, then bi-encoder rescoring with the same model) encodes
 * each query once. Documents pass straight through. Thread-safe: the cache is guarded by a lock,
 * model calls happen outside it.
 */
public final class QueryCachingEncoder implements Encoder {

  private final Encoder inner;
  private final int capacity;
  private final LinkedHashMap<String, float[]> cache;

  public QueryCachingEncoder(Encoder inner, int capacity) {
    this.inner = Objects.requireNonNull(inner, "inner");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.capacity = capacity;
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > QueryCachingEncoder.this.capacity;
          }
        };
  }

  @Override
  public float[][] encodeQueries(List<String> queries) {
    float[][] out = new float[queries.size()][];
    List<Integer> missing = new ArrayList<>();
    synchronized (cache) {
      for (int i = 0; i < out.length; i++) {
        float[] v = cache.get(queries.get(i));
        if (v == null) {
          missing.add(i);
        } else {
          out[i] = v.clone();
        }
      }
    }
    if (!missing.isEmpty()) {
      List<String> texts = new ArrayList<>(missing.size());
      for (int i : missing) {
        texts.add(queries.get(i));
      }
      float[][] fresh = inner.encodeQueries(texts);
      synchronized (cache) {
        for (int j = 0; j < missing.size(); j++) {
          out[missing.get(j)] = fresh[j];
          cache.put(texts.get(j), fresh[j].clone());
        }
      }
    }
    return out;
  }

  @Override
  public float[][] encodeDocuments(List<String> documents) {
    return inner.encodeDocuments(documents);
  }

  @Override
  public int dimension() {
    return inner.dimension();
  }

  @Override
  public String name() {
    return inner.name();
  }

  /** Closes the wrapped encoder. */
  @Override
  public void close() {
    inner.close();
  }
}
