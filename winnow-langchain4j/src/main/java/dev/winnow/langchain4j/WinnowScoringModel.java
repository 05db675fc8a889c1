package dev.winnow.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A langchain4j {@link ScoringModel} backed by a Winnow {@link CrossEncoder} in this process, so a
 * langchain4j RAG chain reranks with Winnow without a server: give it to {@code
 * ReRankingContentAggregator}. Scores are the cross-encoder's scores under {@code options} (sigmoid
 * of the logit for a sentence-transformers cross-encoder), in segment order, so content ranks as
 * {@link CrossEncoder#rerank} ranks it.
 *
 * <p>Thread-safe as the encoder is. The encoder stays the caller's: closing it is the caller's job.
 */
public final class WinnowScoringModel implements ScoringModel {

  private final CrossEncoder encoder;
  private final ScoringOptions options;

  public WinnowScoringModel(CrossEncoder encoder) {
    this(encoder, ScoringOptions.DEFAULTS);
  }

  public WinnowScoringModel(CrossEncoder encoder, ScoringOptions options) {
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
    Objects.requireNonNull(segments, "segments");
    if (query == null) {
      throw new IllegalArgumentException("query must not be null");
    }
    List<String> texts = new ArrayList<>(segments.size());
    for (int i = 0; i < segments.size(); i++) {
      TextSegment s = segments.get(i);
      if (s == null) {
        throw new IllegalArgumentException("segments[" + i + "] must not be null");
      }
      texts.add(s.text());
    }
    List<Double> scores = new ArrayList<>(texts.size());
    for (PairScore p : encoder.score(query, texts, options)) {
      scores.add(p.score());
    }
    return Response.from(scores);
  }
}
