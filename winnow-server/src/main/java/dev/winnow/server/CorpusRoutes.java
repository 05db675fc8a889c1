package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.api.StageScore;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.IndexFullException;
import dev.winnow.index.IndexHealth;
import dev.winnow.index.IndexWriteException;
import dev.winnow.index.WinnowIndex;
import dev.winnow.pipeline.CrossEncoderReranker;
import dev.winnow.pipeline.Pipeline;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Search and ingestion over an embedded index: {@code POST /v1/search} (BM25, then the server's
 * cross-encoder through the shared scheduler), {@code POST /v1/documents} (answers 200 only once
 * the documents are committed; rolled back otherwise), {@code GET} and {@code DELETE /v1/documents/
 * {id}}. BM25 only: documents are added without vectors.
 *
 * <p>Thread-safe: searches run concurrently; mutations are serialized here so that one request's
 * rollback never discards another's additions.
 */
final class CorpusRoutes {

  static final int DEFAULT_TOP_N = 10;
  static final int DEFAULT_CANDIDATES = 100;

  /** Longest document id; Lucene cannot index a term over 32,766 bytes, and ids are not texts. */
  static final int MAX_ID_BYTES = 512;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final WinnowIndex index;
  private final Bm25Retriever bm25;
  private final Reranker reranker;
  private final int maxDocuments;
  private final long maxResponseBytes;
  private final ReentrantLock writes = new ReentrantLock();

  CorpusRoutes(
      WinnowIndex index, CrossEncoder scheduledModel, int maxDocuments, long maxResponseBytes) {
    this.index = index;
    this.maxResponseBytes = maxResponseBytes;
    this.bm25 = new Bm25Retriever(index);
    this.reranker = CrossEncoderReranker.builder(scheduledModel).build();
    this.maxDocuments = maxDocuments;
  }

  JsonNode search(JsonNode body) {
    ObjectNode o = object(body);
    JsonNode q = o.get("query");
    if (q == null || !q.isTextual() || q.textValue().isBlank()) {
      throw ApiError.invalid("query is required and must be a non-empty string");
    }
    int topN = intField(o, "top_n", DEFAULT_TOP_N, maxDocuments);
    int candidates = intField(o, "candidates", Math.max(DEFAULT_CANDIDATES, topN), maxDocuments);
    if (candidates < topN) {
      throw ApiError.invalid("candidates (" + candidates + ") must be >= top_n (" + topN + ")");
    }
    boolean rerank = bool(o, "rerank", true);
    boolean returnText = bool(o, "return_text", true);
    Pipeline pipeline =
        Pipeline.of(bm25, candidates, rerank ? Optional.of(reranker) : Optional.empty(), topN);
    Pipeline.Result result = pipeline.search(Query.of(Dialect.wellFormed("query", q.textValue())));
    ObjectNode root = F.objectNode();
    root.put("query", q.textValue());
    ArrayNode results = root.putArray("results");
    long textBytes = 0;
    for (Hit h : result.hits()) {
      ObjectNode r = results.addObject();
      r.put("id", h.id());
      r.put("score", h.score());
      Optional<Document> d = returnText ? index.get(h.id()) : Optional.empty();
      if (d.isPresent()) {
        // Counted as the documents are read, so at most one document more than the limit is
        // ever held; UTF-16 length is a lower bound of the UTF-8 bytes written.
        textBytes += size(d.get());
        if (textBytes > maxResponseBytes) {
          throw ApiError.invalid(
                  "the answer would exceed this server's limit of "
                      + maxResponseBytes
                      + " bytes (top_n "
                      + topN
                      + " documents with their text); lower top_n or send \"return_text\":"
                      + " false and fetch documents one by one")
              .because(ApiError.Reason.RESPONSE_TOO_LARGE);
        }
        r.put("title", d.get().title());
        r.put("text", d.get().text());
        ObjectNode meta = r.putObject("metadata");
        d.get().metadata().forEach(meta::put);
      }
      ObjectNode first = r.putObject("first_stage");
      first.put("retriever", h.provenance().retriever());
      first.put("rank", h.provenance().firstStageRank());
      first.put("score", h.provenance().firstStageScore());
      ArrayNode stages = r.putArray("stages");
      for (StageScore s : h.provenance().stages()) {
        stages
            .addObject()
            .put("stage", s.stage())
            .put("raw", s.raw())
            .put("activation", s.activation().label())
            .put("score", s.score());
      }
    }
    ObjectNode timings = root.putObject("timings_ms");
    for (Pipeline.StageTiming t : result.timings()) {
      timings.put(t.stage(), t.millis());
    }
    root.put("documents", index.size());
    return root;
  }

  JsonNode add(JsonNode body) {
    ObjectNode o = object(body);
    JsonNode docs = o.get("documents");
    if (docs == null || !docs.isArray() || docs.isEmpty()) {
      throw ApiError.invalid("documents is required and must be a non-empty array");
    }
    if (docs.size() > maxDocuments) {
      throw ApiError.tooMany("documents", docs.size(), maxDocuments);
    }
    List<Document> parsed = new ArrayList<>(docs.size());
    for (int i = 0; i < docs.size(); i++) {
      parsed.add(document("documents[" + i + "]", docs.get(i)));
    }
    writes.lock();
    try {
      int visible;
      try {
        index.add(parsed);
        visible = index.commit();
      } catch (IllegalArgumentException e) {
        index.rollback();
        throw ApiError.invalid(e.getMessage());
      } catch (IndexWriteException e) {
        throw writeFailed(e); // the index already rolled back to its last commit
      } catch (RuntimeException e) {
        index.rollback();
        throw e;
      }
      return F.objectNode().put("added", parsed.size()).put("documents", visible);
    } finally {
      writes.unlock();
    }
  }

  Optional<JsonNode> get(String id) {
    return index.get(id).map(CorpusRoutes::render);
  }

  /** Deletes and commits; empty when there was no such document. */
  Optional<JsonNode> delete(String id) {
    writes.lock();
    try {
      if (index.get(id).isEmpty()) {
        return Optional.empty();
      }
      try {
        index.delete(id);
        int visible = index.commit();
        return Optional.of(F.objectNode().put("deleted", id).put("documents", visible));
      } catch (IndexWriteException e) {
        throw writeFailed(e);
      } catch (RuntimeException e) {
        index.rollback();
        throw e;
      }
    } finally {
      writes.unlock();
    }
  }

  private static long size(Document d) {
    long n = d.id().length() + d.title().length() + d.text().length();
    for (Map.Entry<String, String> e : d.metadata().entrySet()) {
      n += e.getKey().length() + e.getValue().length();
    }
    return n;
  }

  /** The index's write health, for readiness. */
  IndexHealth health() {
    return index.health();
  }

  /**
   * A write the index could not make durable: 507 when the disk is full, else 503; both with {@code
   * Retry-After}, since nothing was committed and the same request may succeed later.
   */
  private static ApiError writeFailed(IndexWriteException e) {
    if (e instanceof IndexFullException) {
      return new ApiError(
          ApiError.Kind.INSUFFICIENT_STORAGE,
          "the index's disk is full; nothing of this request was committed, retry once space is"
              + " freed",
          Optional.of(30));
    }
    return new ApiError(
        ApiError.Kind.UNAVAILABLE,
        "the index could not write (I/O error); nothing of this request was committed, retry",
        Optional.of(1));
  }

  private static JsonNode render(Document d) {
    ObjectNode o = F.objectNode();
    o.put("id", d.id()).put("title", d.title()).put("text", d.text());
    ObjectNode meta = o.putObject("metadata");
    d.metadata().forEach(meta::put);
    return o;
  }

  private static Document document(String where, JsonNode n) {
    if (!n.isObject()) {
      throw ApiError.invalid(where + " must be an object, got " + Dialect.type(n));
    }
    JsonNode id = n.get("id");
    if (id == null || !id.isTextual() || id.textValue().isBlank()) {
      throw ApiError.invalid(where + ".id is required and must be a non-empty string");
    }
    int idBytes = id.textValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (idBytes > MAX_ID_BYTES) {
      throw ApiError.invalid(
          where + ".id must be at most " + MAX_ID_BYTES + " bytes of UTF-8, got " + idBytes);
    }
    if (id.textValue().equals(".") || id.textValue().equals("..")) {
      throw ApiError.invalid(
          where
              + ".id must not be '"
              + id.textValue()
              + "': every HTTP client resolves it as a dot segment, so GET and DELETE"
              + " /v1/documents/{id} could never reach it; any other id is allowed (percent-encode"
              + " it in the path)");
    }
    JsonNode text = n.get("text");
    if (text == null || !text.isTextual()) {
      throw ApiError.invalid(where + ".text is required and must be a string");
    }
    JsonNode title = n.get("title");
    if (title != null && !title.isNull() && !title.isTextual()) {
      throw ApiError.invalid(where + ".title must be a string, got " + Dialect.type(title));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode meta = n.get("metadata");
    if (meta != null && !meta.isNull()) {
      if (!meta.isObject()) {
        throw ApiError.invalid(where + ".metadata must be an object, got " + Dialect.type(meta));
      }
      Iterator<Map.Entry<String, JsonNode>> it = meta.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw ApiError.invalid(
              where
                  + ".metadata."
                  + e.getKey()
                  + " must be a string, got "
                  + Dialect.type(e.getValue()));
        }
        String field = where + ".metadata." + e.getKey();
        metadata.put(
            Dialect.wellFormed(where + ".metadata key", e.getKey()),
            Dialect.wellFormed(field, e.getValue().textValue()));
      }
    }
    return new Document(
        Dialect.wellFormed(where + ".id", id.textValue()),
        title == null || title.isNull()
            ? ""
            : Dialect.wellFormed(where + ".title", title.textValue()),
        Dialect.wellFormed(where + ".text", text.textValue()),
        metadata);
  }

  private static ObjectNode object(JsonNode body) {
    if (!body.isObject()) {
      throw ApiError.invalid("request body must be a JSON object, got " + Dialect.type(body));
    }
    return (ObjectNode) body;
  }

  private static int intField(ObjectNode o, String field, int absent, int max) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return Math.min(absent, max);
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > max) {
      throw ApiError.invalid(field + " must be an integer in [1, " + max + "], got " + n);
    }
    return n.intValue();
  }

  private static boolean bool(ObjectNode o, String field, boolean absent) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return absent;
    }
    if (!n.isBoolean()) {
      throw ApiError.invalid(field + " must be true or false, got " + Dialect.type(n));
    }
    return n.booleanValue();
  }
}
