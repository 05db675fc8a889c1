package dev.winnow.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Request bodies to JSON trees under explicit limits: strict UTF-8, nesting depth, number and
 * string lengths, a token count (so that a body of millions of empty objects is refused while it is
 * parsed, not after its tree is built), duplicate keys rejected, nothing after the value; and at
 * most {@link #parsesAtOnce} parses at a time, so that concurrent hostile bodies cannot together
 * fill the heap with trees. Every failure is an {@link ApiError}: 400 naming what was wrong, or 503
 * with {@code Retry-After} when no parse slot frees up in time. Thread-safe.
 */
final class JsonLimits {

  /** Deeper than any rerank body needs (documents as objects are depth 3). */
  static final int MAX_NESTING_DEPTH = 32;

  /** Long enough for any integer or double a client means; longer is an attack or a mistake. */
  static final int MAX_NUMBER_LENGTH = 64;

  /**
   * JSON tokens allowed per document of the per-request limit (a document object with an id, a
   * title, a text and a dozen metadata entries is about 40).
   */
  static final int TOKENS_PER_DOCUMENT = 256;

  /** Longest wait for a parse slot before answering 503. */
  static final long PARSE_WAIT_MS = 2_000;

  private final ObjectMapper mapper;
  private final long maxTokens;
  private final int parsesAtOnce;
  private final Semaphore parses;

  JsonLimits(long maxBodyBytes, int maxDocuments) {
    this(maxBodyBytes, maxDocuments, Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  JsonLimits(long maxBodyBytes, int maxDocuments, int parsesAtOnce) {
    this.maxTokens = (long) TOKENS_PER_DOCUMENT * maxDocuments + 4096;
    this.parsesAtOnce = parsesAtOnce;
    this.parses = new Semaphore(parsesAtOnce, true);
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBodyBytes))
                    .maxTokenCount(maxTokens)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper =
        new ObjectMapper(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }

  ObjectMapper mapper() {
    return mapper;
  }

  long maxTokens() {
    return maxTokens;
  }

  int parsesAtOnce() {
    return parsesAtOnce;
  }

  /**
   * Waits for a parse slot, then parses one JSON value and checks strict UTF-8 (which Jackson
   * checks only in part). The parse comes first so that a body over a JSON limit is refused after
   * reading only as far as the limit; a body that fails to parse is checked for UTF-8 first, so
   * that bad bytes are named as such. Both count against the slots, so concurrent bodies cannot
   * take every core.
   */
  JsonNode parse(RequestBody body) {
    if (body.length() == 0) {
      throw ApiError.malformed("request body is empty; expected a JSON object");
    }
    try {
      if (!parses.tryAcquire(PARSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
        throw new ApiError(
                ApiError.Kind.UNAVAILABLE,
                "the server is parsing " + parsesAtOnce + " request bodies already; retry shortly",
                Optional.of(1))
            .because(ApiError.Reason.PARSES_BUSY);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(ApiError.Kind.UNAVAILABLE, "the server is shutting down", Optional.of(1));
    }
    try (InputStream in = body.stream()) {
      JsonNode node = mapper.readTree(in);
      body.requireUtf8();
      if (node == null || node.isMissingNode()) {
        throw ApiError.malformed("request body is empty; expected a JSON object");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw ApiError.malformed("request body exceeds a JSON limit: " + e.getOriginalMessage())
          .because(ApiError.Reason.JSON_LIMIT);
    } catch (JsonProcessingException e) {
      body.requireUtf8();
      throw ApiError.malformed("request body is not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.CharConversionException e) {
      // Jackson guessed another encoding (UTF-16/32) from leading zero bytes: a client's mistake
      body.requireUtf8();
      throw ApiError.malformed("request body is not valid JSON: " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an in-memory stream does not fail
    } finally {
      parses.release();
    }
  }
}
