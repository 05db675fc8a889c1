package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.api.ScoringOptions;
import java.util.List;
import java.util.OptionalInt;

/**
 * One validated rerank request, whatever dialect it came in: the query, the texts the model reads
 * (after {@code rank_fields}), the documents as sent (for {@code return_documents}), how many
 * results to return and the scoring options.
 */
record RerankCall(
    String query,
    List<String> texts,
    List<JsonNode> documents,
    OptionalInt topN,
    boolean returnDocuments,
    ScoringOptions options) {}
