package dev.winnow.examples;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.aggregator.ContentAggregator;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.query.Query;
import dev.winnow.api.CrossEncoder;
import dev.winnow.langchain4j.WinnowScoringModel;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A langchain4j RAG chain's reranking step with Winnow in the same process: the content a retriever
 * found, reordered by the cross-encoder through langchain4j's own aggregator.
 *
 * <p>Argument: a cross-encoder folder in the Hugging Face layout.
 */
public final class LangChain4jRerank {

  private LangChain4jRerank() {}

  public static void main(String[] args) {
    Path modelDir = Path.of(args[0]);
    // tag::langchain4j[]
    try (CrossEncoder model = OnnxCrossEncoder.open(ModelFolder.open(modelDir))) {
      ContentAggregator aggregator =
          ReRankingContentAggregator.builder()
              .scoringModel(new WinnowScoringModel(model))
              .maxResults(2)
              .build();
      List<Content> retrieved =
          List.of(
              Content.from(TextSegment.from("Statins lower cholesterol.")),
              Content.from(TextSegment.from("Aspirin reduces fever.")),
              Content.from(TextSegment.from("A fever in children is usually harmless.")));
      for (Content c : aggregator.aggregate(Map.of(Query.from("fever"), List.of(retrieved)))) {
        System.out.println(c.textSegment().text());
      }
    }
    // end::langchain4j[]
  }
}
