package dev.winnow.opensearch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.api.Document;
import dev.winnow.api.Encoder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;

/**
 * One ingestion run: batches documents, embeds each batch with the encoder, sends it through the
 * bulk API and accounts for every document. A whole request rejected with HTTP 429, or the items of
 * a response rejected with 429, are sent again after a backoff that doubles from {@link
 * OpenSearchConfig#initialBackoff()} (capped at 30 s) up to {@link OpenSearchConfig#maxRetries()}
 * times; then they, and every item that failed for another reason, become {@link DocumentFailure}s.
 * An unreachable cluster aborts the run with an {@link OpenSearchClusterException}.
 *
 * <p>Not thread-safe: one writer per {@link OpenSearchBackend#ingest} call.
 */
final class BulkWriter {

  private static final long MAX_BACKOFF_MILLIS = 30_000;

  private final OpenSearchBackend backend;
  private final OpenSearchClient client;
  private final Optional<Encoder> encoder;
  private final OpenSearchConfig config;

  private final LongConsumer progress;
  private long sent;
  private long indexed;
  private int retries;
  private int requests;
  private final List<DocumentFailure> failures = new ArrayList<>();

  BulkWriter(
      OpenSearchBackend backend,
      OpenSearchClient client,
      Optional<Encoder> encoder,
      LongConsumer progress) {
    this.progress = progress;
    this.backend = backend;
    this.client = client;
    this.encoder = encoder;
    this.config = backend.config();
  }

  IngestReport write(Iterable<Document> documents) {
    long start = System.nanoTime();
    List<Document> batch = new ArrayList<>(config.batchSize());
    for (Document d : documents) {
      batch.add(d);
      if (batch.size() == config.batchSize()) {
        writeBatch(batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      writeBatch(batch);
    }
    return new IngestReport(
        indexed, failures, retries, requests, Duration.ofNanos(System.nanoTime() - start));
  }

  private void writeBatch(List<Document> batch) {
    List<ObjectNode> sources = new ArrayList<>(batch.size());
    float[][] vectors = encoder.map(e -> embed(e, batch)).orElse(null);
    for (int i = 0; i < batch.size(); i++) {
      sources.add(source(batch.get(i), vectors == null ? null : vectors[i]));
    }
    List<Integer> pending = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      if (sources.get(i) != null) {
        pending.add(i);
      }
    }
    for (int attempt = 0; !pending.isEmpty(); attempt++) {
      if (attempt > 0) {
        retries++;
        OpenSearchBackend.sleep(backoffMillis(attempt));
      }
      boolean last = attempt >= config.maxRetries();
      pending = send(batch, sources, pending, last);
    }
    sent += batch.size();
    progress.accept(sent);
  }

  /** Sends the pending documents once; returns those to send again (rejected with 429). */
  private List<Integer> send(
      List<Document> batch, List<ObjectNode> sources, List<Integer> pending, boolean last) {
    List<BulkOperation> ops = new ArrayList<>(pending.size());
    for (int i : pending) {
      String id = batch.get(i).id();
      ObjectNode src = sources.get(i);
      ops.add(BulkOperation.of(o -> o.index(x -> x.id(id).document(src))));
    }
    BulkResponse response;
    requests++;
    try {
      response = client.bulk(b -> b.index(config.index()).operations(ops));
    } catch (IOException | OpenSearchException e) {
      // A whole request rejected with 429 arrives as an OpenSearchException or, from the
      // transport, as an IOException around the HTTP response: both are "too many requests".
      if (OpenSearchBackend.httpStatus(e) != 429) {
        throw backend.failure("send a bulk request of " + pending.size() + " documents", e);
      }
      if (!last) {
        return pending;
      }
      for (int i : pending) {
        failures.add(
            new DocumentFailure(
                batch.get(i).id(),
                429,
                "rejected_execution_exception",
                "still rejected after "
                    + config.maxRetries()
                    + " retries: "
                    + OpenSearchBackend.firstLine(e)));
      }
      return List.of();
    }
    List<BulkResponseItem> items = response.items();
    if (items.size() != pending.size()) {
      throw new OpenSearchClusterException(
          backend.where()
              + ": a bulk request of "
              + pending.size()
              + " documents was answered with "
              + items.size()
              + " items");
    }
    List<Integer> again = new ArrayList<>();
    for (int j = 0; j < items.size(); j++) {
      BulkResponseItem item = items.get(j);
      int i = pending.get(j);
      if (item.error() == null && item.status() >= 200 && item.status() < 300) {
        indexed++;
      } else if (item.status() == 429 && !last) {
        again.add(i);
      } else {
        String type = item.error() == null ? "error" : item.error().type();
        String reason = OpenSearchBackend.describe(item.error());
        if (item.status() == 429) {
          reason = "still rejected after " + config.maxRetries() + " retries: " + reason;
        }
        failures.add(new DocumentFailure(batch.get(i).id(), item.status(), type, reason));
      }
    }
    return again;
  }

  private long backoffMillis(int attempt) {
    long base = config.initialBackoff().toMillis();
    long millis = base << Math.min(attempt - 1, 20);
    return Math.min(MAX_BACKOFF_MILLIS, Math.max(0, millis));
  }

  private float[][] embed(Encoder e, List<Document> batch) {
    List<String> texts = new ArrayList<>(batch.size());
    for (Document d : batch) {
      texts.add(d.fullText());
    }
    float[][] vectors = e.encodeDocuments(texts);
    if (vectors.length != batch.size()) {
      throw new IllegalStateException(
          "encoder "
              + e.name()
              + " returned "
              + vectors.length
              + " vectors for "
              + batch.size()
              + " documents");
    }
    return vectors;
  }

  /**
   * The document as stored; null (and a failure recorded) when its vector cannot be indexed, so one
   * bad vector does not sink its batch.
   */
  private ObjectNode source(Document d, float[] vector) {
    ObjectNode node = backend.json().createObjectNode();
    node.put(IndexLayout.ID, d.id());
    node.put(IndexLayout.TITLE, d.title());
    node.put(IndexLayout.BODY, d.text());
    ObjectNode meta = node.putObject(IndexLayout.METADATA);
    for (Map.Entry<String, String> m : d.metadata().entrySet()) {
      meta.put(m.getKey(), m.getValue());
    }
    node.put(IndexLayout.CONTENT, d.fullText());
    if (vector != null) {
      int dim = encoder.orElseThrow().dimension();
      if (vector.length != dim) {
        failures.add(
            new DocumentFailure(
                d.id(),
                0,
                "vector_dimension_mismatch",
                "encoder gave " + vector.length + " values, the index holds " + dim));
        return null;
      }
      ArrayNode v = node.putArray(IndexLayout.EMBEDDING);
      for (float x : vector) {
        if (!Float.isFinite(x)) {
          failures.add(
              new DocumentFailure(
                  d.id(), 0, "non_finite_vector", "encoder gave " + x + " in its vector"));
          return null;
        }
        v.add(x);
      }
    }
    return node;
  }
}
