package dev.winnow.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.aggregator.ReRankingContentAggregator;
import dev.langchain4j.rag.query.Query;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.RankedDocument;
import dev.winnow.api.ScoringOptions;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.testkit.Shared;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** langchain4j's own ReRankingContentAggregator, scoring with the in-process cross-encoder. */
class WinnowScoringModelTest {

  private static final List<String> TEXTS =
      List.of(
          "Aspirin reduces fever and relieves mild pain.",
          "Statins lower LDL cholesterol in most adults.",
          "A fever in children is usually harmless.",
          "Paracetamol is an alternative to aspirin for fever.",
          "Regular exercise improves cardiovascular health.",
          "Ibuprofen is a non-steroidal anti-inflammatory drug.");

  private static CrossEncoder encoder;

  @BeforeAll
  static void open() {
    encoder = OnnxCrossEncoder.open(ModelFolder.open(Shared.tinyFixture()));
  }

  @AfterAll
  static void close() {
    if (encoder != null) {
      encoder.close();
    }
  }

  @Test
  void reRankingContentAggregator_ranksAsCrossEncoderRerank() {
    String query = "what brings a fever down";
    List<Content> retrieved = new ArrayList<>();
    for (String t : TEXTS) {
      retrieved.add(Content.from(TextSegment.from(t)));
    }
    ReRankingContentAggregator aggregator =
        ReRankingContentAggregator.builder()
            .scoringModel(new WinnowScoringModel(encoder))
            .maxResults(4)
            .build();
    Map<Query, Collection<List<Content>>> byQuery = Map.of(Query.from(query), List.of(retrieved));
    List<Content> reranked = aggregator.aggregate(byQuery);

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < TEXTS.size(); i++) {
      ids.add("d" + i);
    }
    List<RankedDocument> expected = encoder.rerank(query, ids, TEXTS, 4, ScoringOptions.DEFAULTS);
    assertThat(reranked).hasSize(4);
    for (int i = 0; i < 4; i++) {
      RankedDocument e = expected.get(i);
      assertThat(reranked.get(i).textSegment().text()).isEqualTo(TEXTS.get(e.index()));
      assertThat((Double) reranked.get(i).metadata().get(ContentMetadata.RERANKED_SCORE))
          .isCloseTo(e.score(), within(1e-12));
    }
    // Not the retrieval order: the test would not notice a model that changed nothing otherwise.
    assertThat(expected.stream().map(RankedDocument::index).toList())
        .isNotEqualTo(Arrays.asList(0, 1, 2, 3));
  }

  @Test
  void scoreAll_nullSegment_namesIt() {
    WinnowScoringModel model = new WinnowScoringModel(encoder);
    List<TextSegment> segments = new ArrayList<>();
    segments.add(TextSegment.from("a"));
    segments.add(null);
    assertThatThrownBy(() -> model.scoreAll(segments, "q"))
        .hasMessage("segments[1] must not be null");
  }
}
