package dev.winnow.examples;

import dev.winnow.api.CrossEncoder;
import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.RankedDocument;
import dev.winnow.index.Bm25Retriever;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.pipeline.CrossEncoderReranker;
import dev.winnow.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The README's first example: index three documents, retrieve with BM25, rerank with a
 * cross-encoder; then {@link CrossEncoder#rank}, the one call for documents already at hand.
 *
 * <p>Arguments: a cross-encoder folder in the Hugging Face layout ({@code config.json}, {@code
 * tokenizer.json}, {@code onnx/model.onnx}) and an index directory (created when absent).
 */
public final class Quickstart {

  private Quickstart() {}

  public static void main(String[] args) {
    Path modelDir = Path.of(args[0]);
    Path indexDir = Path.of(args[1]);
    // tag::quickstart[]
    try (WinnowIndex index = WinnowIndex.open(indexDir);
        CrossEncoder model = OnnxCrossEncoder.open(ModelFolder.open(modelDir))) {
      index.ingest(
          List.of(
                  Document.of("d1", "Aspirin reduces fever and relieves mild pain."),
                  Document.of("d2", "Statins lower LDL cholesterol."),
                  Document.of("d3", "A fever in children is usually harmless."))
              .iterator(),
          Optional.empty(), // no bi-encoder: BM25 needs none
          1000,
          done -> {});
      Pipeline pipeline =
          Pipeline.of(
              new Bm25Retriever(index),
              100,
              Optional.of(CrossEncoderReranker.builder(model).build()),
              10);
      for (Hit hit : pipeline.search(Query.of("fever")).hits()) {
        System.out.printf("%s %.4f %s%n", hit.id(), hit.score(), hit.text());
      }
      // Documents already at hand: sentence-transformers' CrossEncoder.rank(query, docs, top_k).
      List<String> docs = List.of("Statins lower LDL cholesterol.", "Aspirin reduces fever.");
      for (RankedDocument r : model.rank("what lowers a fever", docs, 1)) {
        System.out.printf("best: #%d %.4f %s%n", r.index(), r.score(), docs.get(r.index()));
      }
    }
    // end::quickstart[]
  }
}
