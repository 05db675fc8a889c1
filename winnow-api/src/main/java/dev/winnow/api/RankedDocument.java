package dev.winnow.api;

import java.util.Comparator;

/**
 * One result of {@link CrossEncoder#rerank}: the document's position in the input, its id, the raw
 * logit and the score. {@link #ORDER} is score descending, then input position.
 */
public record RankedDocument(int index, String id, double logit, double score) {

  public static final Comparator<RankedDocument> ORDER =
      Comparator.comparingDouble(RankedDocument::score)
          .reversed()
          .thenComparingInt(RankedDocument::index);
}
