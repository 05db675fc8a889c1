package dev.winnow.server;

import dev.winnow.api.Activation;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The model as the search route sees it: every call goes through the server's {@link
 * PairScheduler}, so search reranking shares batches, the queue bound and the deadline with the
 * rerank routes. A full queue is an {@link ApiError} 429, a missed deadline a 503. Thread-safe;
 * closing it does not close the model.
 */
final class SchedulingCrossEncoder implements CrossEncoder {

  private final CrossEncoder model;
  private final PairScheduler scheduler;
  private final Duration timeout;

  SchedulingCrossEncoder(CrossEncoder model, PairScheduler scheduler, Duration timeout) {
    this.model = model;
    this.scheduler = scheduler;
    this.timeout = timeout;
  }

  @Override
  public List<PairScore> scorePairs(List<TextPair> pairs, ScoringOptions options) {
    if (pairs.isEmpty()) {
      return List.of();
    }
    PairScheduler.Ticket ticket;
    try {
      ticket = scheduler.submit(pairs, options);
    } catch (PairScheduler.Rejected r) {
      throw new ApiError(
          r.closed ? ApiError.Kind.UNAVAILABLE : ApiError.Kind.OVERLOADED,
          r.getMessage(),
          Optional.of(1));
    }
    try {
      return ticket.result().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      ticket.cancel("deadline");
      throw new ApiError(
          ApiError.Kind.DEADLINE,
          "reranking did not finish within " + timeout.toMillis() + " ms; retry later",
          Optional.of(1));
    } catch (InterruptedException e) {
      ticket.cancel("interrupted");
      Thread.currentThread().interrupt();
      throw new ApiError(ApiError.Kind.UNAVAILABLE, "interrupted", Optional.of(1));
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof java.util.concurrent.CancellationException) {
        throw new ApiError(
            ApiError.Kind.UNAVAILABLE, "the server is shutting down", Optional.of(1));
      }
      if (c instanceof IllegalStateException broken) {
        // the model broke its contract (a NaN output): an error, kept as the CrossEncoder says
        throw new IllegalStateException("the model failed: " + broken.getMessage(), broken);
      }
      throw new ApiError(ApiError.Kind.BACKEND, "the model failed: " + c.getMessage());
    }
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public Activation defaultActivation() {
    return model.defaultActivation();
  }

  @Override
  public int maxLength() {
    return model.maxLength();
  }

  @Override
  public void close() {}
}
