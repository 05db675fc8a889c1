package dev.winnow.pipeline;

import dev.winnow.api.Activation;
import dev.winnow.api.Hit;
import dev.winnow.api.LateInteractionEncoder;
import dev.winnow.api.LateInteractionScore;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.StageScore;
import dev.winnow.api.TokenVectors;
import dev.winnow.onnx.MaxSim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Re-scores candidates by late interaction: the MaxSim of the query's token vectors against each
 * document's ({@link MaxSim}), the raw score with no activation. The query is encoded once per
 * call; documents are encoded at query time from the candidates' texts (stored token vectors are
 * not read yet), and each hit's provenance says so ({@link LateInteractionScore#storedVectors()}
 * false). The hits returned also carry, for {@code --explain}, which document token each query
 * token matched; their similarities sum to the raw score.
 *
 * <p>Thread-safe: it holds no mutable state and the encoder is thread-safe.
 */
public final class LateInteractionReranker implements Reranker {

  private final LateInteractionEncoder encoder;

  public LateInteractionReranker(LateInteractionEncoder encoder) {
    this.encoder = Objects.requireNonNull(encoder, "encoder");
  }

  @Override
  public List<Hit> rerank(Query query, List<Hit> candidates, int topN) {
    Rerankers.checkInput(candidates, topN);
    if (candidates.isEmpty()) {
      return List.of();
    }
    TokenVectors q = encoder.encodeQueries(List.of(query.text())).get(0);
    List<TokenVectors> docs = encoder.encodeDocuments(candidates.stream().map(Hit::text).toList());
    List<MaxSim.Document> prepared = new ArrayList<>(docs.size());
    List<Hit> scored = new ArrayList<>(docs.size());
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < docs.size(); i++) {
      MaxSim.Document d = MaxSim.prepare(docs.get(i));
      prepared.add(d);
      double s = MaxSim.score(q, d);
      if (!Double.isFinite(s)) {
        throw new IllegalStateException(
            "late-interaction model '"
                + encoder.name()
                + "' gave a non-finite MaxSim for '"
                + candidates.get(i).id()
                + "'");
      }
      scored.add(candidates.get(i).rescored(stage(s, Optional.empty())));
      position.put(candidates.get(i).id(), i);
    }
    List<Hit> best = Rerankers.best(scored, topN);
    List<Hit> out = new ArrayList<>(best.size());
    for (Hit h : best) {
      int i = position.get(h.id());
      double s = h.score();
      LateInteractionScore detail =
          new LateInteractionScore(false, MaxSim.matches(q, docs.get(i), prepared.get(i)));
      out.add(candidates.get(i).rescored(stage(s, Optional.of(detail))));
    }
    return List.copyOf(out);
  }

  private StageScore stage(double maxSim, Optional<LateInteractionScore> detail) {
    return new StageScore(
        name(), maxSim, Activation.RAW, maxSim, Optional.empty(), false, Optional.empty(), detail);
  }

  @Override
  public String name() {
    return "late-interaction:" + encoder.name();
  }
}
