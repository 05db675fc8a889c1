package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.winnow.api.Activation;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The rerank dialects Winnow speaks, each with its request rules, response body and error shape.
 *
 * <ul>
 *   <li>{@link #COHERE_V2}: {@code POST /v2/rerank}, documents are strings (objects with {@code
 *       text} are accepted too).
 *   <li>{@link #COHERE_V1}: {@code POST /v1/rerank}, Cohere v1 and Jina in one handler; documents
 *       are strings or objects ({@code text}, or the fields named by {@code rank_fields}); {@code
 *       return_documents} defaults to <b>false</b> (Cohere's default; Jina's is true, so Jina
 *       clients that want documents back send it explicitly, as langchain4j does).
 *   <li>{@link #TEI}: {@code POST /rerank}, text-embeddings-inference: {@code texts}, {@code
 *       raw_scores}, {@code return_text}, {@code truncate}, {@code truncation_direction}; a bare
 *       array of every text, sorted by score. {@code truncate} defaults to true; with false, a pair
 *       longer than the model's maximum is refused with 422 {@code validation}.
 * </ul>
 *
 * <p>On both Cohere routes long documents are read as Cohere does ({@link LongInputs}): cut to
 * {@code max_tokens_per_doc} tokens (default 4096), split into chunks that fit the model with the
 * query, at most {@code max_chunks_per_doc} of them on v1 (default 10), each document scoring as
 * its best chunk.
 *
 * <p>Stateless and thread-safe.
 */
enum Dialect {
  COHERE_V2 {
    @Override
    RerankCall parse(JsonNode body, CrossEncoder encoder, int maxDocuments) {
      ObjectNode o = object(body);
      optionalString(o, "model");
      String query = query(o, "query");
      Docs docs = documents(o, "documents", maxDocuments, List.of(), true);
      OptionalInt topN = positiveInt(o, "top_n");
      LongInputs.Chunking chunking = new LongInputs.Chunking(maxTokensPerDoc(o), Integer.MAX_VALUE);
      return new RerankCall(
          query,
          docs.texts,
          docs.originals,
          topN,
          false,
          normalize(ScoringOptions.DEFAULTS, encoder),
          Optional.of(chunking),
          true,
          false);
    }

    @Override
    JsonNode render(RerankCall call, List<RankedDocument> ranked, Usage usage, String model) {
      ObjectNode root = F.objectNode();
      root.put("id", UUID.randomUUID().toString());
      ArrayNode results = root.putArray("results");
      for (RankedDocument r : limit(ranked, call.topN())) {
        results.addObject().put("index", r.index()).put("relevance_score", r.score());
      }
      ObjectNode meta = root.putObject("meta");
      meta.putObject("api_version").put("version", "2");
      meta.putObject("billed_units").put("search_units", searchUnits(usage));
      meta.putObject("tokens").put("input_tokens", usage.tokens()).put("output_tokens", 0);
      return root;
    }
  },

  COHERE_V1 {
    @Override
    RerankCall parse(JsonNode body, CrossEncoder encoder, int maxDocuments) {
      ObjectNode o = object(body);
      optionalString(o, "model");
      String query = query(o, "query");
      List<String> rankFields = stringList(o, "rank_fields");
      Docs docs = documents(o, "documents", maxDocuments, rankFields, true);
      OptionalInt topN = positiveInt(o, "top_n");
      boolean returnDocuments = bool(o, "return_documents", false);
      LongInputs.Chunking chunking =
          new LongInputs.Chunking(
              maxTokensPerDoc(o),
              positiveInt(o, "max_chunks_per_doc").orElse(LongInputs.DEFAULT_MAX_CHUNKS_PER_DOC));
      return new RerankCall(
          query,
          docs.texts,
          docs.originals,
          topN,
          returnDocuments,
          normalize(ScoringOptions.DEFAULTS, encoder),
          Optional.of(chunking),
          true,
          false);
    }

    @Override
    JsonNode render(RerankCall call, List<RankedDocument> ranked, Usage usage, String model) {
      ObjectNode root = F.objectNode();
      root.put("id", UUID.randomUUID().toString());
      ArrayNode results = root.putArray("results");
      for (RankedDocument r : limit(ranked, call.topN())) {
        ObjectNode item = results.addObject();
        item.put("index", r.index()).put("relevance_score", r.score());
        if (call.returnDocuments()) {
          JsonNode original = call.documents().get(r.index());
          item.set(
              "document", original.isObject() ? original : F.objectNode().set("text", original));
        }
      }
      ObjectNode meta = root.putObject("meta");
      meta.putObject("api_version").put("version", "1");
      meta.putObject("billed_units").put("search_units", searchUnits(usage));
      root.put("model", model);
      // Jina reports total_tokens; langchain4j's Jina client also reads prompt_tokens.
      root.putObject("usage")
          .put("total_tokens", usage.tokens())
          .put("prompt_tokens", usage.tokens());
      return root;
    }
  },

  TEI {
    @Override
    RerankCall parse(JsonNode body, CrossEncoder encoder, int maxDocuments) {
      ObjectNode o = object(body);
      JsonNode q = o.get("query");
      if (q != null && q.isTextual() && q.textValue().isEmpty()) {
        throw new ApiError(ApiError.Kind.EMPTY, "query must not be empty");
      }
      String query = query(o, "query");
      JsonNode texts = o.get("texts");
      if (texts != null && texts.isArray() && texts.isEmpty()) {
        throw new ApiError(ApiError.Kind.EMPTY, "`texts` cannot be empty");
      }
      Docs docs = documents(o, "texts", maxDocuments, List.of(), false);
      // Winnow's default (TEI's follows its --auto-truncate launch flag): cut what is too long.
      boolean truncate = bool(o, "truncate", true);
      JsonNode direction = o.get("truncation_direction");
      boolean left = false;
      if (direction != null && !direction.isNull()) {
        String d = direction.isTextual() ? direction.textValue().toLowerCase(Locale.ROOT) : "";
        left = d.equals("left");
        if (!left && !d.equals("right")) {
          throw ApiError.invalid(
              "truncation_direction must be \"left\" or \"right\", got " + direction);
        }
      }
      boolean raw = bool(o, "raw_scores", false);
      boolean returnText = bool(o, "return_text", false);
      ScoringOptions options =
          normalize(
              ScoringOptions.DEFAULTS.withActivation(raw ? Activation.RAW : Activation.SIGMOID),
              encoder);
      return new RerankCall(
          query,
          docs.texts,
          docs.originals,
          OptionalInt.empty(),
          returnText,
          options,
          Optional.empty(),
          truncate,
          left);
    }

    @Override
    JsonNode render(RerankCall call, List<RankedDocument> ranked, Usage usage, String model) {
      ArrayNode root = F.arrayNode();
      for (RankedDocument r : ranked) {
        ObjectNode item = root.addObject();
        item.put("index", r.index()).put("score", r.score());
        if (call.returnDocuments()) {
          item.put("text", call.texts().get(r.index()));
        }
      }
      return root;
    }

    @Override
    JsonNode error(ApiError e) {
      return F.objectNode().put("error", e.getMessage()).put("error_type", e.kind().teiType);
    }
  };

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** What the model read for a request: tokens over all pairs, and pairs (document chunks). */
  record Usage(long tokens, int pairs) {}

  /** Validates a body into a call; {@link ApiError} (422 or 400) names the field otherwise. */
  abstract RerankCall parse(JsonNode body, CrossEncoder encoder, int maxDocuments);

  /** The success body for {@code ranked} (all documents, best first). */
  abstract JsonNode render(RerankCall call, List<RankedDocument> ranked, Usage usage, String model);

  /** The error body: Cohere's {@code {"message": ...}} unless the dialect has its own. */
  JsonNode error(ApiError e) {
    return F.objectNode().put("message", e.getMessage());
  }

  private record Docs(List<String> texts, List<JsonNode> originals) {}

  private static ObjectNode object(JsonNode body) {
    if (!body.isObject()) {
      throw ApiError.invalid("request body must be a JSON object, got " + type(body));
    }
    return (ObjectNode) body;
  }

  private static String query(ObjectNode o, String field) {
    JsonNode q = o.get(field);
    if (q == null || q.isNull()) {
      throw ApiError.invalid(field + " is required");
    }
    if (!q.isTextual()) {
      throw ApiError.invalid(field + " must be a string, got " + type(q));
    }
    if (q.textValue().isBlank()) {
      throw ApiError.invalid(field + " must not be empty");
    }
    return wellFormed(field, q.textValue());
  }

  /** Refuses unpaired UTF-16 surrogates (legal as JSON escapes, not as text a tokenizer reads). */
  static String wellFormed(String field, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw ApiError.invalid(
            field
                + " contains an unpaired UTF-16 surrogate at character "
                + i
                + "; not valid text");
      }
    }
    return s;
  }

  private static void optionalString(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n != null && !n.isNull() && !n.isTextual()) {
      throw ApiError.invalid(field + " must be a string, got " + type(n));
    }
  }

  private static boolean bool(ObjectNode o, String field, boolean absent) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return absent;
    }
    if (!n.isBoolean()) {
      throw ApiError.invalid(field + " must be true or false, got " + type(n));
    }
    return n.booleanValue();
  }

  /** An optional integer in [1, 2^31 - 1]; strings, fractions and huge numbers are refused. */
  private static OptionalInt positiveInt(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return OptionalInt.empty();
    }
    if (!n.isIntegralNumber()) {
      throw ApiError.invalid(field + " must be an integer >= 1, got " + type(n) + " " + clip(n));
    }
    if (!n.canConvertToInt() || n.intValue() < 1) {
      throw ApiError.invalid(
          field + " must be an integer in [1, " + Integer.MAX_VALUE + "], got " + clip(n));
    }
    return OptionalInt.of(n.intValue());
  }

  private static List<String> stringList(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw ApiError.invalid(field + " must be an array of strings, got " + type(n));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isTextual()) {
        throw ApiError.invalid(field + "[" + i + "] must be a string, got " + type(n.get(i)));
      }
      out.add(n.get(i).textValue());
    }
    return List.copyOf(out);
  }

  /**
   * Documents as strings, or (when {@code objects}) as objects whose {@code text} field, or whose
   * {@code rankFields} joined as {@code name: value} lines, is what the model reads.
   */
  private static Docs documents(
      ObjectNode o, String field, int maxDocuments, List<String> rankFields, boolean objects) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      throw ApiError.invalid(field + " is required");
    }
    if (!n.isArray()) {
      throw ApiError.invalid(field + " must be an array, got " + type(n));
    }
    if (n.isEmpty()) {
      throw ApiError.invalid(field + " must not be empty");
    }
    if (n.size() > maxDocuments) {
      throw ApiError.tooMany(field, n.size(), maxDocuments);
    }
    List<String> texts = new ArrayList<>(n.size());
    List<JsonNode> originals = new ArrayList<>(n.size());
    for (int i = 0; i < n.size(); i++) {
      JsonNode d = n.get(i);
      originals.add(d);
      if (d.isTextual()) {
        texts.add(wellFormed(field + "[" + i + "]", d.textValue()));
      } else if (d.isObject() && objects) {
        String where = field + "[" + i + "]";
        texts.add(wellFormed(where, documentText(where, (ObjectNode) d, rankFields)));
      } else {
        throw ApiError.invalid(
            field
                + "["
                + i
                + "] must be a string"
                + (objects ? " or an object with a \"text\" field" : "")
                + ", got "
                + type(d));
      }
    }
    return new Docs(List.copyOf(texts), List.copyOf(originals));
  }

  private static String documentText(String where, ObjectNode d, List<String> rankFields) {
    if (rankFields.isEmpty()) {
      JsonNode t = d.get("text");
      if (t == null || !t.isTextual()) {
        throw ApiError.invalid(
            where
                + " must have a string \"text\" field (or name its fields with rank_fields), got "
                + (t == null ? "no text field" : type(t)));
      }
      return t.textValue();
    }
    StringBuilder sb = new StringBuilder();
    for (String f : rankFields) {
      JsonNode v = d.get(f);
      if (v == null || v.isNull()) {
        continue;
      }
      if (!v.isValueNode()) {
        throw ApiError.invalid(
            where + "." + f + " must be a string, number or boolean, got " + type(v));
      }
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(f).append(": ").append(v.asText());
    }
    return sb.toString();
  }

  /**
   * {@code max_tokens_per_doc}: each document is cut to its first so many tokens (the query and
   * special tokens not counted) before it is split into chunks; Cohere's default is 4096.
   */
  private static int maxTokensPerDoc(ObjectNode o) {
    return positiveInt(o, "max_tokens_per_doc").orElse(LongInputs.DEFAULT_MAX_TOKENS_PER_DOC);
  }

  /** Options equal to the model's defaults become the defaults, so such requests share batches. */
  private static ScoringOptions normalize(ScoringOptions o, CrossEncoder encoder) {
    ScoringOptions n = o;
    if (n.activation().isPresent() && n.activation().get() == encoder.defaultActivation()) {
      n = new ScoringOptions(Optional.empty(), n.maxLength(), n.truncation());
    }
    if (n.maxLength().isPresent() && n.maxLength().getAsInt() == encoder.maxLength()) {
      n = new ScoringOptions(n.activation(), OptionalInt.empty(), n.truncation());
    }
    return n;
  }

  private static List<RankedDocument> limit(List<RankedDocument> ranked, OptionalInt topN) {
    return topN.isPresent() && topN.getAsInt() < ranked.size()
        ? ranked.subList(0, topN.getAsInt())
        : ranked;
  }

  /**
   * Cohere bills one search unit per query with up to 100 documents, each chunk of a long document
   * counting as a document.
   */
  private static int searchUnits(Usage usage) {
    return Math.max(1, (usage.pairs() + 99) / 100);
  }

  static String type(JsonNode n) {
    return switch (n.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> n.isIntegralNumber() ? "an integer" : "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String clip(JsonNode n) {
    String s = n.isTextual() ? TextNode.valueOf(n.textValue()).toString() : n.toString();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
