package dev.winnow.pipeline;

import dev.winnow.api.Activation;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.api.Truncation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transparent cross-encoder for tests: one token per lower-cased word, and the logit is the
 * number of distinct query tokens the (truncated) document contains, minus 0.001 per document token
 * read. Truncation follows the Hugging Face rules (longest-first removes from the longer sequence's
 * end one token at a time). Counts the pairs it scored.
 */
final class FakeCrossEncoder implements CrossEncoder, PassageScorer {

  final AtomicInteger pairsScored = new AtomicInteger();
  private final int maxLength;

  FakeCrossEncoder(int maxLength) {
    this.maxLength = maxLength;
  }

  @Override
  public int[] tokenize(String text) {
    return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+"))
        .filter(w -> !w.isEmpty())
        .mapToInt(w -> 1000 + Math.floorMod(w.hashCode(), 1_000_000))
        .toArray();
  }

  @Override
  public int pairSpecialTokens() {
    return 3;
  }

  @Override
  public List<PairScore> scoreTokenized(List<TokenPair> pairs, ScoringOptions options) {
    int max = options.maxLength().orElse(maxLength);
    List<PairScore> out = new ArrayList<>();
    for (TokenPair p : pairs) {
      int total = p.query().length + p.document().length + 3;
      if (total > max) {
        throw new IllegalArgumentException("pair of " + total + " tokens exceeds " + max);
      }
      out.add(score(p.query(), p.document(), options));
    }
    return out;
  }

  @Override
  public List<PairScore> scorePairs(List<TextPair> pairs, ScoringOptions options) {
    int max = options.maxLength().orElse(maxLength);
    List<PairScore> out = new ArrayList<>();
    for (TextPair p : pairs) {
      int[] q = tokenize(p.query());
      int[] d = tokenize(p.document());
      int qn = q.length;
      int dn = d.length;
      while (qn + dn + 3 > max) {
        if (options.truncation() == Truncation.ONLY_SECOND || dn >= qn) {
          if (dn == 0) {
            throw new IllegalArgumentException("query too long");
          }
          dn--;
        } else {
          qn--;
        }
      }
      out.add(score(Arrays.copyOf(q, qn), Arrays.copyOf(d, dn), options));
    }
    return out;
  }

  private PairScore score(int[] q, int[] d, ScoringOptions options) {
    pairsScored.incrementAndGet();
    Set<Integer> doc = new HashSet<>();
    for (int t : d) {
      doc.add(t);
    }
    Set<Integer> matched = new HashSet<>();
    for (int t : q) {
      if (doc.contains(t)) {
        matched.add(t);
      }
    }
    double logit = matched.size() - 0.001 * d.length;
    Activation a = options.activation().orElse(defaultActivation());
    return new PairScore(logit, a.apply(logit), q.length + d.length + 3);
  }

  @Override
  public String name() {
    return "fake-ce";
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
