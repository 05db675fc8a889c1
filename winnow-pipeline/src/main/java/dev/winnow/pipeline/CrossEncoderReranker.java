package dev.winnow.pipeline;

import dev.winnow.api.Activation;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.Hit;
import dev.winnow.api.PairScore;
import dev.winnow.api.PassageWindow;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.StageScore;
import dev.winnow.pipeline.LongDocuments.Span;
import dev.winnow.pipeline.LongDocuments.Strategy;
import dev.winnow.pipeline.PassageScorer.TokenPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Re-scores candidates with a {@link CrossEncoder}, reading long documents by one of the {@link
 * LongDocuments.Strategy strategies}. Each hit's new stage records the raw logit, the activation,
 * the score, the passage window read (first and maxp) and whether the verdict came from the
 * optional {@link PairScoreCache}.
 *
 * <p>Thread-safe: it holds no mutable state besides the cache, which is thread-safe, and the
 * encoder is thread-safe.
 */
public final class CrossEncoderReranker implements Reranker {

  /** Default cap on scored windows per document under maxp. */
  public static final int DEFAULT_MAX_WINDOWS = 16;

  private final CrossEncoder encoder;
  private final Optional<PassageScorer> passages;
  private final Strategy strategy;
  private final ScoringOptions options;
  private final OptionalInt passageTokens;
  private final OptionalInt stride;
  private final int maxWindows;
  private final String variant;
  private final Optional<PairScoreCache> cache;

  private CrossEncoderReranker(Builder b) {
    this.encoder = b.encoder;
    this.passages = b.passages;
    this.strategy = b.strategy;
    this.options = b.options;
    this.passageTokens = b.passageTokens;
    this.stride = b.stride;
    this.maxWindows = b.maxWindows;
    this.variant = b.variant;
    this.cache = b.cache;
    if (strategy != Strategy.TRUNCATE && passages.isEmpty()) {
      throw new IllegalArgumentException(
          "long-document strategy "
              + strategy.label()
              + " needs the cross-encoder's tokenizer (a PassageScorer); only truncate works"
              + " without one");
    }
  }

  public static Builder builder(CrossEncoder encoder) {
    return new Builder(encoder);
  }

  /**
   * Options of a {@link CrossEncoderReranker}; defaults: truncate, the model's options, no cache.
   */
  public static final class Builder {
    private final CrossEncoder encoder;
    private Optional<PassageScorer> passages = Optional.empty();
    private Strategy strategy = Strategy.TRUNCATE;
    private ScoringOptions options = ScoringOptions.DEFAULTS;
    private OptionalInt passageTokens = OptionalInt.empty();
    private OptionalInt stride = OptionalInt.empty();
    private int maxWindows = DEFAULT_MAX_WINDOWS;
    private String variant = "";
    private Optional<PairScoreCache> cache = Optional.empty();

    private Builder(CrossEncoder encoder) {
      this.encoder = Objects.requireNonNull(encoder, "encoder");
      if (encoder instanceof PassageScorer p) {
        this.passages = Optional.of(p);
      }
    }

    /** The tokenizer and pre-tokenized scoring, when the encoder itself is not a PassageScorer. */
    public Builder passages(PassageScorer p) {
      this.passages = Optional.of(p);
      return this;
    }

    public Builder strategy(Strategy s) {
      this.strategy = Objects.requireNonNull(s, "strategy");
      return this;
    }

    public Builder options(ScoringOptions o) {
      this.options = Objects.requireNonNull(o, "options");
      return this;
    }

    /** Passage length in document tokens for first and maxp (default: all that fit). */
    public Builder passageTokens(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("passage tokens must be >= 1, got " + n);
      }
      this.passageTokens = OptionalInt.of(n);
      return this;
    }

    /** Tokens between window starts under maxp (default: half the passage). */
    public Builder stride(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("stride must be >= 1, got " + n);
      }
      this.stride = OptionalInt.of(n);
      return this;
    }

    public Builder maxWindows(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("max windows must be >= 1, got " + n);
      }
      this.maxWindows = n;
      return this;
    }

    /** The model variant (e.g. {@code qint8}), part of the cache key. */
    public Builder variant(String v) {
      this.variant = Objects.requireNonNull(v, "variant");
      return this;
    }

    public Builder cache(PairScoreCache c) {
      this.cache = Optional.of(c);
      return this;
    }

    public CrossEncoderReranker build() {
      return new CrossEncoderReranker(this);
    }
  }

  private int maxLength() {
    return options.maxLength().orElse(encoder.maxLength());
  }

  private Activation activation() {
    return options.activation().orElse(encoder.defaultActivation());
  }

  /**
   * The strategy with the parameters that change a logit, as the cache key and stage name use it.
   */
  String strategyKey() {
    return switch (strategy) {
      case TRUNCATE -> "truncate(" + options.truncation().label() + ")";
      case FIRST ->
          "first(passage=" + (passageTokens.isPresent() ? passageTokens.getAsInt() : "fit") + ")";
      case MAXP ->
          "maxp(passage="
              + (passageTokens.isPresent() ? passageTokens.getAsInt() : "fit")
              + ",stride="
              + (stride.isPresent() ? stride.getAsInt() : "half")
              + ",max="
              + maxWindows
              + ")";
    };
  }

  @Override
  public List<Hit> rerank(Query query, List<Hit> candidates, int topN) {
    Rerankers.checkInput(candidates, topN);
    if (candidates.isEmpty()) {
      return List.of();
    }
    int n = candidates.size();
    PairScoreCache.Entry[] verdicts = new PairScoreCache.Entry[n];
    boolean[] cached = new boolean[n];
    PairScoreCache.Key[] keys = new PairScoreCache.Key[n];
    List<Integer> todo = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (cache.isPresent()) {
        keys[i] =
            new PairScoreCache.Key(
                encoder.name(),
                variant,
                query.text(),
                PairScoreCache.sha256(candidates.get(i).text()),
                maxLength(),
                strategyKey());
        Optional<PairScoreCache.Entry> e = cache.get().get(keys[i]);
        if (e.isPresent()) {
          verdicts[i] = e.get();
          cached[i] = true;
          continue;
        }
      }
      todo.add(i);
    }
    if (!todo.isEmpty()) {
      List<String> texts = new ArrayList<>(todo.size());
      for (int i : todo) {
        texts.add(candidates.get(i).text());
      }
      List<PairScoreCache.Entry> fresh =
          strategy == Strategy.TRUNCATE
              ? truncated(query.text(), texts)
              : windowed(query.text(), texts);
      for (int j = 0; j < todo.size(); j++) {
        int i = todo.get(j);
        verdicts[i] = fresh.get(j);
        cache.ifPresent(c -> c.put(keys[i], verdicts[i]));
      }
    }
    Activation act = activation();
    List<Hit> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double logit = verdicts[i].logit();
      if (!Double.isFinite(logit)) {
        throw new IllegalStateException(
            "cross-encoder '"
                + encoder.name()
                + "' gave "
                + logit
                + " for '"
                + candidates.get(i).id()
                + "'");
      }
      out.add(
          candidates
              .get(i)
              .rescored(
                  new StageScore(
                      name(), logit, act, act.apply(logit), verdicts[i].window(), cached[i])));
    }
    return Rerankers.best(out, topN);
  }

  private List<PairScoreCache.Entry> truncated(String query, List<String> texts) {
    List<PairScore> scores = encoder.score(query, texts, options.withActivation(Activation.RAW));
    List<PairScoreCache.Entry> out = new ArrayList<>(scores.size());
    for (PairScore s : scores) {
      out.add(new PairScoreCache.Entry(s.logit(), Optional.empty()));
    }
    return out;
  }

  private List<PairScoreCache.Entry> windowed(String query, List<String> texts) {
    PassageScorer p = passages.orElseThrow();
    int maxLength = maxLength();
    int specials = p.pairSpecialTokens();
    int[] q = p.tokenize(query);
    int qKept = LongDocuments.queryKept(q.length, maxLength, specials);
    int[] qIds = qKept == q.length ? q : Arrays.copyOf(q, qKept);
    int room = maxLength - specials - qKept;
    int width = Math.min(room, passageTokens.orElse(room));
    int step = Math.min(width, stride.orElse(Math.max(1, width / 2)));

    List<TokenPair> pairs = new ArrayList<>();
    List<List<Span>> spansPerDoc = new ArrayList<>(texts.size());
    int[] docTokens = new int[texts.size()];
    for (int d = 0; d < texts.size(); d++) {
      int[] ids = p.tokenize(texts.get(d));
      docTokens[d] = ids.length;
      List<Span> spans = LongDocuments.windows(ids.length, width, step, maxWindows);
      if (strategy == Strategy.FIRST) {
        spans = spans.subList(0, 1);
      }
      spansPerDoc.add(spans);
      for (Span s : spans) {
        pairs.add(new TokenPair(qIds, Arrays.copyOfRange(ids, s.start(), s.end())));
      }
    }
    ScoringOptions raw = options.withActivation(Activation.RAW).withMaxLength(maxLength);
    List<PairScore> scores = p.scoreTokenized(pairs, raw);
    if (scores.size() != pairs.size()) {
      throw new IllegalStateException(
          "passage scorer returned " + scores.size() + " scores for " + pairs.size() + " pairs");
    }
    for (int i = 0; i < scores.size(); i++) {
      if (!Double.isFinite(scores.get(i).logit())) {
        throw new IllegalStateException(
            "cross-encoder '" + encoder.name() + "' gave a logit of " + scores.get(i).logit());
      }
    }
    List<PairScoreCache.Entry> out = new ArrayList<>(texts.size());
    int at = 0;
    for (int d = 0; d < texts.size(); d++) {
      List<Span> spans = spansPerDoc.get(d);
      int best = 0;
      for (int w = 1; w < spans.size(); w++) {
        if (scores.get(at + w).logit() > scores.get(at + best).logit()) {
          best = w;
        }
      }
      int count = LongDocuments.windowCount(docTokens[d], width, step);
      PassageWindow win =
          LongDocuments.window(spans, best, Math.max(count, spans.size()), docTokens[d]);
      out.add(new PairScoreCache.Entry(scores.get(at + best).logit(), Optional.of(win)));
      at += spans.size();
    }
    return out;
  }

  @Override
  public String name() {
    return "cross-encoder:"
        + encoder.name()
        + (variant.isEmpty() ? "" : "[" + variant + "]")
        + (strategy == Strategy.TRUNCATE ? "" : "/" + strategy.label());
  }
}
