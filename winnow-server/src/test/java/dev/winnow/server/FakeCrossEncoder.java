package dev.winnow.server;

import dev.winnow.api.Activation;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.pipeline.PassageScorer;
import dev.winnow.testkit.OverlapCrossEncoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic stand-in for a cross-encoder: the logit is testkit's {@link
 * OverlapCrossEncoder#logit} (query words the document contains plus a hash-derived fraction).
 * Tokens are whitespace words plus three specials, capped at the maximum length. A test can hold
 * every call at a gate to build up a queue. Thread-safe.
 *
 * <p>As a {@link PassageScorer} its tokens are whitespace-separated words, each with the whitespace
 * that follows it (so a run of tokens spells its text back exactly and scores as that text), three
 * special tokens per pair; {@link #scoreTokenized} reads only the tokens it is given, so a document
 * chunk scores as the words in it.
 */
final class FakeCrossEncoder implements CrossEncoder, PassageScorer {

  private static final Pattern WORD = Pattern.compile("\\s+|\\S+\\s*");
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final List<String> words = Collections.synchronizedList(new ArrayList<>());

  final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
  final List<Set<String>> batchQueries = Collections.synchronizedList(new ArrayList<>());
  final AtomicLong pairsScored = new AtomicLong();
  final AtomicLong tokenizedPairs = new AtomicLong();
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile CountDownLatch entered = new CountDownLatch(0);
  private final long nanosPerPair;

  FakeCrossEncoder() {
    this(0);
  }

  /** With a busy-wait of {@code nanosPerPair} per pair, to stand in for model time. */
  FakeCrossEncoder(long nanosPerPair) {
    this.nanosPerPair = nanosPerPair;
  }

  /** Holds every call until {@link #release}; returns a latch that opens when a call is held. */
  CountDownLatch hold() {
    entered = new CountDownLatch(1);
    gate = new CountDownLatch(1);
    return entered;
  }

  void release() {
    gate.countDown();
  }

  static double logit(String query, String document) {
    return OverlapCrossEncoder.logit(query, document);
  }

  @Override
  public int[] tokenize(String text) {
    List<Integer> out = new ArrayList<>();
    Matcher m = WORD.matcher(text);
    while (m.find()) {
      out.add(
          ids.computeIfAbsent(
              m.group(),
              w -> {
                synchronized (words) {
                  words.add(w);
                  return words.size() - 1;
                }
              }));
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public int pairSpecialTokens() {
    return 3;
  }

  /** The text a run of this fake's token ids spells. */
  String detokenize(int[] tokens) {
    StringBuilder sb = new StringBuilder();
    for (int t : tokens) {
      sb.append(words.get(t));
    }
    return sb.toString();
  }

  @Override
  public List<PairScore> scoreTokenized(List<TokenPair> pairs, ScoringOptions options) {
    List<TextPair> texts = new ArrayList<>(pairs.size());
    List<Integer> lengths = new ArrayList<>(pairs.size());
    int max = options.maxLength().orElse(maxLength());
    for (TokenPair p : pairs) {
      if (p.query().length + p.document().length + 3 > max) {
        throw new IllegalArgumentException(
            "a tokenized pair must fit "
                + max
                + " tokens, got "
                + (p.query().length + p.document().length + 3));
      }
      texts.add(new TextPair(detokenize(p.query()), detokenize(p.document())));
      lengths.add(p.query().length + p.document().length + 3);
    }
    tokenizedPairs.addAndGet(pairs.size());
    return score(texts, options, lengths);
  }

  @Override
  public List<PairScore> scorePairs(List<TextPair> pairs, ScoringOptions options) {
    return score(pairs, options, List.of());
  }

  /** Scores text pairs; {@code lengths}, when given, are the pairs' token counts. */
  private List<PairScore> score(
      List<TextPair> pairs, ScoringOptions options, List<Integer> lengths) {
    entered.countDown();
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test gate never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    batchSizes.add(pairs.size());
    Set<String> queries = new HashSet<>();
    Activation a = options.activation().orElse(defaultActivation());
    int max = options.maxLength().orElse(maxLength());
    List<PairScore> out = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      TextPair p = pairs.get(i);
      queries.add(p.query());
      if (nanosPerPair > 0) {
        long end = System.nanoTime() + nanosPerPair;
        while (System.nanoTime() < end) {
          Thread.onSpinWait();
        }
      }
      double l = logit(p.query(), p.document());
      int tokens =
          lengths.isEmpty()
              ? Math.min(
                  max, 3 + p.query().split("\\s+").length + p.document().split("\\s+").length)
              : lengths.get(i);
      out.add(new PairScore(l, a.apply(l), tokens));
    }
    batchQueries.add(queries);
    pairsScored.addAndGet(pairs.size());
    return out;
  }

  @Override
  public String name() {
    return "fake-overlap";
  }

  @Override
  public Activation defaultActivation() {
    return Activation.SIGMOID;
  }

  @Override
  public int maxLength() {
    return 512;
  }

  @Override
  public void close() {}
}
