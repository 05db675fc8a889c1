package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.api.ScoringOptions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One validated rerank request, whatever dialect it came in: the query, the texts the model reads
 * (after {@code rank_fields}), the documents as sent (for {@code return_documents}), how many
 * results to return, the scoring options, how long documents are read (Cohere: {@code chunking};
 * empty: the engine truncates each pair) and whether an over-long pair may be cut ({@code
 * truncate}; false only on TEI, where such a request is refused) and from which end (TEI's {@code
 * truncation_direction}: left keeps the end of a text).
 */
record RerankCall(
    String query,
    List<String> texts,
    List<JsonNode> documents,
    OptionalInt topN,
    boolean returnDocuments,
    ScoringOptions options,
    Optional<LongInputs.Chunking> chunking,
    boolean truncate,
    boolean truncateLeft) {}
