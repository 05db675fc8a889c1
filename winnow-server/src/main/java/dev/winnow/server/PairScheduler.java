package dev.winnow.server;

import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import dev.winnow.pipeline.PassageScorer;
import dev.winnow.pipeline.PassageScorer.TokenPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one scheduler in front of the cross-encoder: it queues the pairs of every admitted request
 * and cuts them into model calls bounded by a token budget, so that pairs from different requests
 * (with different queries) share a batch and a large request is spread over several.
 *
 * <p>Each batch first takes, in arrival order, the waiting requests whose remaining pairs fit in an
 * equal share of the batch, then fills the rest first come, first served: a small request behind a
 * large one is served in the next batch instead of after the whole large request, while requests of
 * equal size are still served in arrival order (no processor sharing that would delay them all).
 *
 * <p>A request's pairs are texts ({@link #submit}, the engine tokenizes and truncates them) or
 * token ids already cut to fit the model ({@link #submitTokenized}: document chunks, each one pair
 * that counts against the queue and the batch budget like any other); only pairs of one kind (and
 * equal {@link ScoringOptions}) share a batch. Which kind a batch serves is fair by age: it is the
 * kind of the request that has waited longest since a batch last took any of its pairs, so a
 * one-text TEI request behind a 1,000-chunk Cohere request is served in the next batch or the one
 * after, whatever the kinds.
 *
 * <p>Admission is bounded in pairs: {@link #submit} refuses at once (it never blocks) when the
 * queue cannot take a request's pairs; an empty queue takes any request, so a request larger than
 * the bound still runs when nothing else waits. Only pairs with equal {@link ScoringOptions} share
 * a batch. A cancelled ticket (client gone, deadline passed) leaves the queue at once and its
 * remaining pairs are never scored; pairs already in a running batch finish and are dropped.
 *
 * <p>Thread-safe. {@code workers} named daemon threads ({@code winnow-scorer-N}) call the model,
 * one batch each at a time; completion callbacks of tickets run on those threads, so callers should
 * move heavy work elsewhere ({@code whenCompleteAsync}).
 */
final class PairScheduler implements AutoCloseable {

  /** Estimated tokens of a pair, used only to size batches (never reported as usage). */
  interface PairCost {
    int tokens(TextPair pair, int maxLength);

    /** About four characters per WordPiece token of English text, plus the three specials. */
    PairCost CHARACTERS =
        (pair, maxLength) ->
            Math.min(
                maxLength,
                3 + (pair.query().length() + 3) / 4 + (pair.document().length() + 3) / 4);
  }

  /** Raised by {@link #submit} when the queue is full or the scheduler is closed. */
  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean closed;

    Rejected(String message, boolean closed) {
      super(message, null, false, false);
      this.closed = closed;
    }
  }

  /** One admitted request. Its {@link #result} completes with scores in input order. */
  static final class Ticket {
    private final List<TextPair> texts; // empty for a tokenized request
    private final List<TokenPair> tokens; // empty for a text request
    private final int size;
    private final ScoringOptions options;
    private final int[] cost;
    private final PairScore[] scores;
    private final CompletableFuture<List<PairScore>> result = new CompletableFuture<>();
    private final long admittedNanos = System.nanoTime();
    private volatile long firstBatchNanos;
    private long servedNanos = admittedNanos; // last batch that took its pairs; guarded by lock
    private volatile long inferenceNanos;
    private PairScheduler owner;
    private int next; // first pair not yet handed to a batch; guarded by the owner's lock
    private int done; // pairs scored; guarded by the owner's lock

    private Ticket(
        List<TextPair> texts, List<TokenPair> tokens, ScoringOptions options, int[] cost) {
      this.texts = texts;
      this.tokens = tokens;
      this.size = cost.length;
      this.options = options;
      this.cost = cost;
      this.scores = new PairScore[size];
    }

    private boolean tokenized() {
      return !tokens.isEmpty();
    }

    /** Whether this request's pairs may share a model call with {@code other}'s. */
    private boolean batchesWith(Ticket other) {
      return options.equals(other.options) && tokenized() == other.tokenized();
    }

    CompletableFuture<List<PairScore>> result() {
      return result;
    }

    /** Drops the remaining work; a no-op once the result is complete. */
    void cancel(String reason) {
      if (owner != null) {
        owner.cancel(this, reason);
      }
    }

    /** Nanoseconds between admission and the first batch that took a pair of this request. */
    long queueNanos() {
      long f = firstBatchNanos;
      return f == 0 ? 0 : f - admittedNanos;
    }

    /** Nanoseconds of model calls that carried this request's pairs (shared calls count whole). */
    long inferenceNanos() {
      return inferenceNanos;
    }
  }

  private record Slice(Ticket ticket, int from, int to) {}

  private final CrossEncoder encoder;
  private final Optional<PassageScorer> passages;
  private final ServerConfig config;
  private final ServerMetrics metrics;
  private final PairCost pairCost;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final LinkedList<Ticket> queue = new LinkedList<>();
  private final List<Thread> threads = new ArrayList<>();
  private long queuedPairs; // guarded by lock
  private boolean closed; // guarded by lock

  PairScheduler(CrossEncoder encoder, ServerConfig config, ServerMetrics metrics, PairCost cost) {
    this(encoder, Optional.empty(), config, metrics, cost);
  }

  /** With {@code passages}, the encoder's tokenizer, the scheduler also takes tokenized pairs. */
  PairScheduler(
      CrossEncoder encoder,
      Optional<PassageScorer> passages,
      ServerConfig config,
      ServerMetrics metrics,
      PairCost cost) {
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.passages = Objects.requireNonNull(passages, "passages");
    this.config = Objects.requireNonNull(config, "config");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.pairCost = Objects.requireNonNull(cost, "cost");
    metrics.bindQueue(this::queuedPairs, this::queuedRequests);
    for (int i = 0; i < config.workers(); i++) {
      Thread t = new Thread(this::runWorker, "winnow-scorer-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /**
   * Admits {@code pairs} or refuses at once. The pairs list must not be empty and must not change.
   */
  Ticket submit(List<TextPair> pairs, ScoringOptions options) throws Rejected {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("pairs must not be empty");
    }
    int maxLength = options.maxLength().orElse(encoder.maxLength());
    int[] cost = new int[pairs.size()];
    for (int i = 0; i < cost.length; i++) {
      cost[i] = Math.max(1, pairCost.tokens(pairs.get(i), maxLength));
    }
    return admit(new Ticket(pairs, List.of(), options, cost));
  }

  /**
   * Admits pairs of token ids (no special tokens) that already fit the model, or refuses at once;
   * each costs exactly its length plus the specials. Needs the encoder's tokenizer.
   */
  Ticket submitTokenized(List<TokenPair> pairs, ScoringOptions options) throws Rejected {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("pairs must not be empty");
    }
    PassageScorer p =
        passages.orElseThrow(
            () ->
                new IllegalStateException(
                    "tokenized pairs need the encoder's tokenizer; this scheduler has none"));
    int maxLength = options.maxLength().orElse(encoder.maxLength());
    int[] cost = new int[pairs.size()];
    for (int i = 0; i < cost.length; i++) {
      TokenPair pair = pairs.get(i);
      cost[i] =
          Math.min(maxLength, pair.query().length + pair.document().length + p.pairSpecialTokens());
    }
    return admit(new Ticket(List.of(), pairs, options, cost));
  }

  /**
   * Refuses at once when {@link #submit} would refuse {@code pairs} pairs now, so that a request is
   * turned away before its texts are tokenized; admission itself checks again.
   */
  void requireRoom(int pairs) throws Rejected {
    lock.lock();
    try {
      checkRoom(pairs);
    } finally {
      lock.unlock();
    }
  }

  /** Caller holds the lock. */
  private void checkRoom(int n) throws Rejected {
    if (closed) {
      throw new Rejected("the server is shutting down", true);
    }
    if (queuedPairs > 0 && queuedPairs + n > config.maxQueuedPairs()) {
      throw new Rejected(
          "the queue is full ("
              + queuedPairs
              + " of "
              + config.maxQueuedPairs()
              + " pairs waiting); retry later",
          false);
    }
  }

  private Ticket admit(Ticket t) throws Rejected {
    int n = t.size;
    lock.lock();
    try {
      checkRoom(n);
      t.owner = this;
      queue.addLast(t);
      queuedPairs += n;
      work.signal();
    } finally {
      lock.unlock();
    }
    return t;
  }

  long queuedPairs() {
    lock.lock();
    try {
      return queuedPairs;
    } finally {
      lock.unlock();
    }
  }

  long queuedRequests() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  private void cancel(Ticket t, String reason) {
    boolean dropped;
    lock.lock();
    try {
      dropped = !t.result.isDone();
      if (queue.remove(t)) {
        queuedPairs -= t.size - t.next;
        t.next = t.size;
      }
    } finally {
      lock.unlock();
    }
    if (dropped && t.result.completeExceptionally(new CancellationException(reason))) {
      metrics.cancelled(reason);
    }
  }

  private void fail(Ticket t, Throwable cause) {
    lock.lock();
    try {
      if (queue.remove(t)) {
        queuedPairs -= t.size - t.next;
        t.next = t.size;
      }
    } finally {
      lock.unlock();
    }
    t.result.completeExceptionally(cause);
  }

  /** Takes the next batch, waiting for work; empty when closed. */
  private List<Slice> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() && !closed) {
        work.await();
      }
      if (queue.isEmpty()) {
        return List.of();
      }
      // Fair across kinds: the batch serves the kind of the request waiting longest since it was
      // last served (arrival order on a tie), then takes every request of that kind.
      Ticket head = queue.getFirst();
      for (Ticket t : queue) {
        if (t.servedNanos < head.servedNanos) {
          head = t;
        }
      }
      List<Ticket> eligible = new ArrayList<>();
      for (Ticket t : queue) {
        if (t.batchesWith(head)) {
          eligible.add(t);
        }
      }
      // Pass 1 takes, first come first served, the requests whose remaining pairs fit in a fair
      // share of the batch, so a small request is not stuck behind a large one; pass 2 fills what
      // is left first come, first served (for equal-sized requests both passes are plain FIFO).
      int share = Math.max(1, config.maxBatchPairs() / eligible.size());
      Map<Ticket, Integer> upTo = new LinkedHashMap<>();
      int pairs = 0;
      int longest = 0;
      boolean full = false;
      for (int pass = 0; pass < 2 && !full; pass++) {
        for (Ticket t : eligible) {
          int to = upTo.getOrDefault(t, t.next);
          if (pass == 0 && t.size - to > share) {
            continue;
          }
          int limit = t.size;
          while (to < limit) {
            int nextLongest = Math.max(longest, t.cost[to]);
            boolean fits =
                pairs + 1 <= config.maxBatchPairs()
                    && (long) (pairs + 1) * nextLongest <= config.batchTokenBudget();
            if (!fits && pairs > 0) {
              full = true;
              break;
            }
            longest = nextLongest;
            pairs++;
            to++;
          }
          if (to > upTo.getOrDefault(t, t.next)) {
            upTo.put(t, to);
          }
          if (full) {
            break;
          }
        }
      }
      List<Slice> batch = new ArrayList<>(upTo.size());
      long now = System.nanoTime();
      for (Map.Entry<Ticket, Integer> e : upTo.entrySet()) {
        Ticket t = e.getKey();
        int to = e.getValue();
        batch.add(new Slice(t, t.next, to));
        queuedPairs -= to - t.next;
        t.next = to;
        if (t.firstBatchNanos == 0) {
          t.firstBatchNanos = now;
        }
        t.servedNanos = now;
        if (to == t.size) {
          queue.remove(t);
        }
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void runWorker() {
    while (true) {
      List<Slice> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (batch.isEmpty()) {
        return;
      }
      score(batch);
    }
  }

  private void score(List<Slice> batch) {
    boolean tokenized = batch.get(0).ticket.tokenized();
    List<TextPair> texts = new ArrayList<>();
    List<TokenPair> tokens = new ArrayList<>();
    int longest = 0;
    for (Slice s : batch) {
      for (int i = s.from; i < s.to; i++) {
        if (tokenized) {
          tokens.add(s.ticket.tokens.get(i));
        } else {
          texts.add(s.ticket.texts.get(i));
        }
        longest = Math.max(longest, s.ticket.cost[i]);
      }
    }
    int pairs = tokenized ? tokens.size() : texts.size();
    ScoringOptions options = batch.get(0).ticket.options;
    long start = System.nanoTime();
    List<PairScore> scores;
    try {
      scores =
          tokenized
              ? passages.orElseThrow().scoreTokenized(tokens, options)
              : encoder.scorePairs(texts, options);
      if (scores.size() != pairs) {
        throw new IllegalStateException(
            "the model returned " + scores.size() + " scores for " + pairs + " pairs");
      }
    } catch (RuntimeException e) {
      metrics.batchFailed();
      for (Slice s : batch) {
        fail(s.ticket, e);
      }
      return;
    }
    long nanos = System.nanoTime() - start;
    long read = 0;
    for (PairScore s : scores) {
      read += s.tokens();
    }
    metrics.batch(pairs, (long) pairs * longest, read, nanos);
    int k = 0;
    for (Slice s : batch) {
      Ticket t = s.ticket;
      boolean complete;
      lock.lock();
      try {
        for (int i = s.from; i < s.to; i++) {
          t.scores[i] = scores.get(k++);
        }
        t.done += s.to - s.from;
        t.inferenceNanos += nanos;
        complete = t.done == t.size;
      } finally {
        lock.unlock();
      }
      if (complete) {
        t.result.complete(List.copyOf(Arrays.asList(t.scores)));
      }
    }
  }

  /** Refuses new work, fails what is queued, and stops the workers after their current batch. */
  @Override
  public void close() {
    List<Ticket> dropped;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
      queuedPairs = 0;
      work.signalAll();
    } finally {
      lock.unlock();
    }
    for (Ticket t : dropped) {
      if (t.result.completeExceptionally(new CancellationException("shutdown"))) {
        metrics.cancelled("shutdown");
      }
    }
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
