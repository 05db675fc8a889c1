package dev.winnow.pipeline;

import dev.winnow.api.Activation;
import dev.winnow.api.Encoder;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.StageScore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Re-scores candidates by the cosine between the query's embedding and each document's, both from
 * one {@link Encoder} (queries through {@link Encoder#encodeQueries}, documents through {@link
 * Encoder#encodeDocuments}, so a query prefix applies). Document vectors come from {@link
 * DocumentVectors} when stored there (the stage then says {@code cached}), otherwise the
 * candidate's text is embedded in batches of {@code batchSize}.
 *
 * <p>Thread-safe: it holds no mutable state and the encoder is thread-safe.
 */
public final class BiEncoderReranker implements Reranker {

  private final Encoder encoder;
  private final DocumentVectors stored;
  private final int batchSize;

  public BiEncoderReranker(Encoder encoder, DocumentVectors stored, int batchSize) {
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.stored = Objects.requireNonNull(stored, "stored");
    if (!stored.encoder().equals(encoder.name())) {
      throw new IllegalArgumentException(
          "stored vectors were made by '"
              + stored.encoder()
              + "', not by the reranker's encoder '"
              + encoder.name()
              + "'");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    this.batchSize = batchSize;
  }

  public BiEncoderReranker(Encoder encoder) {
    this(encoder, DocumentVectors.none(encoder.name()), 32);
  }

  @Override
  public List<Hit> rerank(Query query, List<Hit> candidates, int topN) {
    Rerankers.checkInput(candidates, topN);
    if (candidates.isEmpty()) {
      return List.of();
    }
    float[] q = encoder.encodeQueries(List.of(query.text()))[0];
    float[][] docs = new float[candidates.size()][];
    boolean[] fromStore = new boolean[candidates.size()];
    List<Integer> missing = new ArrayList<>();
    List<Optional<float[]>> found = stored.vectors(candidates.stream().map(Hit::id).toList());
    for (int i = 0; i < docs.length; i++) {
      Optional<float[]> v = found.get(i);
      if (v.isPresent()) {
        docs[i] = v.get();
        fromStore[i] = true;
      } else {
        missing.add(i);
      }
    }
    for (int from = 0; from < missing.size(); from += batchSize) {
      List<Integer> batch = missing.subList(from, Math.min(missing.size(), from + batchSize));
      List<String> texts = new ArrayList<>(batch.size());
      for (int i : batch) {
        texts.add(candidates.get(i).text());
      }
      float[][] vs = encoder.encodeDocuments(texts);
      for (int j = 0; j < batch.size(); j++) {
        docs[batch.get(j)] = vs[j];
      }
    }
    List<Hit> out = new ArrayList<>(docs.length);
    for (int i = 0; i < docs.length; i++) {
      double cos = VectorMath.cosine(q, docs[i]);
      if (!Double.isFinite(cos)) {
        throw new IllegalStateException(
            "encoder '"
                + encoder.name()
                + "' gave a non-finite vector for '"
                + candidates.get(i).id()
                + "'");
      }
      out.add(
          candidates
              .get(i)
              .rescored(
                  new StageScore(
                      name(), cos, Activation.RAW, cos, Optional.empty(), fromStore[i])));
    }
    return Rerankers.best(out, topN);
  }

  @Override
  public String name() {
    return "bi-encoder:" + encoder.name();
  }
}
