package dev.winnow.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden cases of a cross-encoder fixture ({@code golden.jsonl}, {@code golden_batch.json}).
 */
final class Goldens {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Case(
      String id,
      String query,
      String document,
      int maxLength,
      long[] inputIds,
      long[] tokenTypeIds,
      int queryKept,
      int documentKept,
      double logit,
      double sigmoid) {}

  record Batch(
      List<String> ids,
      long[][] inputIds,
      long[][] attentionMask,
      long[][] tokenTypeIds,
      double[] logitsBatch,
      double[] logitsSingle) {}

  private Goldens() {}

  static List<Case> cases(Path fixture) {
    List<Case> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(fixture.resolve("golden.jsonl"))) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = JSON.readTree(line);
        out.add(
            new Case(
                n.get("id").asText(),
                n.get("query").asText(),
                n.get("document").asText(),
                n.get("max_length").asInt(),
                longs(n.get("input_ids")),
                longs(n.get("token_type_ids")),
                n.get("n_query_kept").asInt(),
                n.get("n_document_kept").asInt(),
                n.get("logit").asDouble(),
                n.get("sigmoid").asDouble()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (out.size() < 40) {
      throw new IllegalStateException("expected the fixture's 46 goldens, got " + out.size());
    }
    return out;
  }

  static Batch batch(Path fixture) {
    try {
      JsonNode n = JSON.readTree(fixture.resolve("golden_batch.json").toFile());
      List<String> ids = new ArrayList<>();
      n.get("ids").forEach(x -> ids.add(x.asText()));
      return new Batch(
          ids,
          matrix(n.get("input_ids")),
          matrix(n.get("attention_mask")),
          matrix(n.get("token_type_ids")),
          doubles(n.get("logits_batch")),
          doubles(n.get("logits_single")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }

  static long[][] matrix(JsonNode rows) {
    long[][] out = new long[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = longs(rows.get(i));
    }
    return out;
  }

  /** Spearman rank correlation (average ranks for ties). */
  static double spearman(double[] a, double[] b) {
    double[] ra = ranks(a);
    double[] rb = ranks(b);
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < a.length; i++) {
      ma += ra[i];
      mb += rb[i];
    }
    ma /= a.length;
    mb /= a.length;
    double cov = 0;
    double va = 0;
    double vb = 0;
    for (int i = 0; i < a.length; i++) {
      cov += (ra[i] - ma) * (rb[i] - mb);
      va += (ra[i] - ma) * (ra[i] - ma);
      vb += (rb[i] - mb) * (rb[i] - mb);
    }
    return cov / Math.sqrt(va * vb);
  }

  private static double[] ranks(double[] v) {
    Integer[] order = new Integer[v.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
    double[] r = new double[v.length];
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        r[order[k]] = rank;
      }
      i = j + 1;
    }
    return r;
  }
}
