package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.TextPair;
import dev.winnow.pipeline.PassageScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The rerank route of every dialect: validates the parsed body, plans long documents (Cohere's
 * chunks, TEI's {@code truncate: false} and {@code truncation_direction: left}), hands the pairs to
 * the scheduler and answers asynchronously on {@code answers}. Thread-safe and stateless apart from
 * its collaborators.
 */
final class RerankRoute {

  private static final System.Logger LOG = System.getLogger(RerankRoute.class.getName());

  private final CrossEncoder encoder;
  private final Optional<PassageScorer> tokenizer;
  private final ServerConfig config;
  private final PairScheduler scheduler;
  private final Executor answers;

  RerankRoute(
      CrossEncoder encoder,
      Optional<PassageScorer> tokenizer,
      ServerConfig config,
      PairScheduler scheduler,
      Executor answers) {
    this.encoder = encoder;
    this.tokenizer = tokenizer;
    this.config = config;
    this.scheduler = scheduler;
    this.answers = answers;
  }

  void answer(Exchange ex, Dialect dialect, JsonNode tree) {
    RerankCall call = dialect.parse(tree, encoder, config.maxDocuments());
    int maxLength = call.options().maxLength().orElse(encoder.maxLength());
    Optional<LongInputs.Plan> plan = Optional.empty();
    PairScheduler.Ticket ticket;
    try {
      // Every document is at least one pair: a request the queue cannot take is refused before
      // its texts are tokenized, so overload stays cheap to turn away.
      scheduler.requireRoom(call.texts().size());
      // Cohere's chunking and TEI's truncate: false need the engine's tokenizer; without one (not
      // the ONNX engine) a document is read as one window the engine truncates.
      if (call.chunking().isPresent() && tokenizer.isPresent()) {
        plan =
            Optional.of(
                LongInputs.chunk(
                    tokenizer.get(), call.query(), call.texts(), maxLength, call.chunking().get()));
      }
      if (!call.truncate()) {
        LongInputs.requireFits(
            needTokenizer("truncate: false", "send \"truncate\": true"),
            call.query(),
            call.texts(),
            "texts",
            maxLength);
      } else if (call.truncateLeft()) {
        plan =
            Optional.of(
                LongInputs.keepEnds(
                    needTokenizer(
                        "truncation_direction: left", "send \"truncation_direction\": \"right\""),
                    call.query(),
                    call.texts(),
                    maxLength));
      }
      if (plan.isPresent()) {
        ticket = scheduler.submitTokenized(plan.get().pairs(), call.options());
      } else {
        List<TextPair> pairs = new ArrayList<>(call.texts().size());
        for (String t : call.texts()) {
          pairs.add(new TextPair(call.query(), t));
        }
        ticket = scheduler.submit(pairs, call.options());
      }
    } catch (PairScheduler.Rejected r) {
      throw new ApiError(
              r.closed ? ApiError.Kind.UNAVAILABLE : ApiError.Kind.OVERLOADED,
              r.getMessage(),
              Optional.of(1))
          .because(r.closed ? ApiError.Reason.NOT_READY : ApiError.Reason.QUEUE_FULL);
    }
    Optional<LongInputs.Plan> chunks = plan;
    ex.onDisconnect(() -> ticket.cancel("disconnect"));
    ticket
        .result()
        .orTimeout(ex.remainingNanos(), TimeUnit.NANOSECONDS)
        .whenCompleteAsync(
            (scores, error) -> {
              try {
                if (error == null) {
                  ranked(ex, dialect, call, chunks, ticket, scores);
                } else {
                  failed(ex, ticket, error);
                }
              } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "could not answer a rerank request", e);
                ex.fail(new ApiError(ApiError.Kind.BACKEND, "internal error"));
              }
            },
            answers);
  }

  private PassageScorer needTokenizer(String option, String instead) {
    return tokenizer.orElseThrow(
        () ->
            ApiError.invalid(
                option
                    + " needs the model's tokenizer to count tokens, and this engine exposes"
                    + " none; "
                    + instead));
  }

  private void ranked(
      Exchange ex,
      Dialect dialect,
      RerankCall call,
      Optional<LongInputs.Plan> chunks,
      PairScheduler.Ticket ticket,
      List<PairScore> pairScores) {
    List<PairScore> scores = chunks.isPresent() ? chunks.get().best(pairScores) : pairScores;
    List<RankedDocument> ranked = new ArrayList<>(scores.size());
    long tokens = 0;
    for (int i = 0; i < scores.size(); i++) {
      PairScore s = scores.get(i);
      ranked.add(new RankedDocument(i, Integer.toString(i), s.logit(), s.score()));
      tokens += s.tokens();
    }
    ranked.sort(RankedDocument.ORDER);
    JsonNode body =
        dialect.render(call, ranked, new Dialect.Usage(tokens, pairScores.size()), encoder.name());
    ex.setHeader("x-total-time", Long.toString(millis(System.nanoTime() - ex.startNanos())));
    ex.setHeader("x-queue-time", Long.toString(millis(ticket.queueNanos())));
    ex.setHeader("x-inference-time", Long.toString(millis(ticket.inferenceNanos())));
    ex.json(200, body);
  }

  private void failed(Exchange ex, PairScheduler.Ticket ticket, Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof TimeoutException) {
      ticket.cancel("deadline");
      ex.fail(
          new ApiError(
                  ApiError.Kind.DEADLINE,
                  "the request was not scored within "
                      + config.requestTimeout().toMillis()
                      + " ms; the server is overloaded, retry later",
                  Optional.of(1))
              .because(ApiError.Reason.DEADLINE));
    } else if (e instanceof CancellationException c && "disconnect".equals(c.getMessage())) {
      ex.abandon(c);
    } else if (e instanceof CancellationException) {
      ex.fail(
          new ApiError(ApiError.Kind.UNAVAILABLE, "the server is shutting down", Optional.of(1)));
    } else {
      LOG.log(System.Logger.Level.ERROR, "the model failed while scoring a batch", e);
      ex.fail(new ApiError(ApiError.Kind.BACKEND, "the model failed: " + e.getMessage()));
    }
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
