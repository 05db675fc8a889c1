package dev.winnow.testkit;

import dev.winnow.api.Activation;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deterministic stand-in for a cross-encoder, shared by the modules' tests: the logit is the
 * number of query words the document contains plus a hash-derived fraction below 0.5 (so ties are
 * rare but reproducible); tokens are whitespace words plus three specials, capped at the maximum
 * length. {@link #yieldingNaN} gives one whose "model" outputs NaN, which it reports as the {@link
 * CrossEncoder} contract asks ({@link IllegalStateException}). Thread-safe.
 */
public final class OverlapCrossEncoder implements CrossEncoder {

  /** Pairs scored so far. */
  public final AtomicLong pairsScored = new AtomicLong();

  private final int maxLength;
  private final boolean nan;

  public OverlapCrossEncoder() {
    this(512, false);
  }

  private OverlapCrossEncoder(int maxLength, boolean nan) {
    this.maxLength = maxLength;
    this.nan = nan;
  }

  /** One whose model outputs NaN for every pair. */
  public static OverlapCrossEncoder yieldingNaN() {
    return new OverlapCrossEncoder(512, true);
  }

  /** The logit of a pair. */
  public static double logit(String query, String document) {
    Set<String> words = new HashSet<>(List.of(document.toLowerCase(Locale.ROOT).split("\\W+")));
    int overlap = 0;
    for (String w : query.toLowerCase(Locale.ROOT).split("\\W+")) {
      if (!w.isEmpty() && words.contains(w)) {
        overlap++;
      }
    }
    int h = (query + "\u0000" + document).hashCode() & 0xffff;
    return overlap + h / 131072.0;
  }

  /** Tokens read for a pair: whitespace words plus three specials, at most {@code maxLength}. */
  public static int tokens(String query, String document, int maxLength) {
    return Math.min(maxLength, 3 + words(query) + words(document));
  }

  private static int words(String s) {
    String t = s.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }

  @Override
  public List<PairScore> scorePairs(List<TextPair> pairs, ScoringOptions options) {
    Activation a = options.activation().orElse(defaultActivation());
    int max = options.maxLength().orElse(maxLength);
    List<PairScore> out = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      TextPair p = pairs.get(i);
      double logit = nan ? Double.NaN : logit(p.query(), p.document());
      if (Double.isNaN(logit)) {
        throw new IllegalStateException(name() + " output NaN for pair " + i + " of the batch");
      }
      out.add(new PairScore(logit, a.apply(logit), tokens(p.query(), p.document(), max)));
    }
    pairsScored.addAndGet(pairs.size());
    return out;
  }

  @Override
  public String name() {
    return nan ? "fake-overlap-nan" : "fake-overlap";
  }

  @Override
  public Activation defaultActivation() {
    return Activation.SIGMOID;
  }

  @Override
  public int maxLength() {
    return maxLength;
  }

  @Override
  public void close() {}
}
