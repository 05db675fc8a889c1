package dev.winnow.pipeline;

import dev.winnow.api.Encoder;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bag-of-words encoder for tests: each lower-cased word adds 1 to dimension {@code hash mod 64}.
 * Queries get the same treatment (no prefix). Counts the documents it embedded.
 */
final class FakeEncoder implements Encoder {

  final AtomicInteger documentsEncoded = new AtomicInteger();

  @Override
  public float[][] encodeQueries(List<String> queries) {
    return embed(queries);
  }

  @Override
  public float[][] encodeDocuments(List<String> documents) {
    documentsEncoded.addAndGet(documents.size());
    return embed(documents);
  }

  static float[] embed(String text) {
    float[] v = new float[64];
    for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
      if (!w.isEmpty()) {
        v[Math.floorMod(w.hashCode(), 64)] += 1;
      }
    }
    return v;
  }

  private static float[][] embed(List<String> texts) {
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = embed(texts.get(i));
    }
    return out;
  }

  @Override
  public int dimension() {
    return 64;
  }

  @Override
  public String name() {
    return "fake-bow";
  }

  @Override
  public void close() {}
}
