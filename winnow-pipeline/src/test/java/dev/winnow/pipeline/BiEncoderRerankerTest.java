package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.api.Reranker;
import dev.winnow.testkit.RerankerContract;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BiEncoderRerankerTest {

  private static DocumentVectors stored(Map<String, float[]> vectors, String encoder) {
    return new DocumentVectors() {
      @Override
      public Optional<float[]> vector(String id) {
        return Optional.ofNullable(vectors.get(id));
      }

      @Override
      public String encoder() {
        return encoder;
      }
    };
  }

  @Test
  void rerank_ordersByCosineAndFlipsTheFirstStage() {
    List<Hit> in =
        List.of(
            Hit.firstStage("a", "bread recipes and flour", 1, 9, "bm25"),
            Hit.firstStage("b", "arctic terns migrate between poles", 2, 8, "bm25"),
            Hit.firstStage("c", "terns", 3, 7, "bm25"));
    List<Hit> out =
        new BiEncoderReranker(new FakeEncoder()).rerank(Query.of("arctic terns migrate"), in, 3);
    assertThat(out).extracting(Hit::id).containsExactly("b", "c", "a");
    float[] q = FakeEncoder.embed("arctic terns migrate");
    assertThat(out.get(0).score())
        .isCloseTo(
            VectorMath.cosine(q, FakeEncoder.embed("arctic terns migrate between poles")),
            within(1e-12));
    assertThat(out.get(2).score()).isEqualTo(0.0);
  }

  @Test
  void rerank_usesStoredVectorsAndSaysSo() {
    FakeEncoder enc = new FakeEncoder();
    DocumentVectors vs = stored(Map.of("a", FakeEncoder.embed("arctic terns")), "fake-bow");
    List<Hit> in =
        List.of(
            Hit.firstStage("a", "ignored text", 1, 2, "bm25"),
            Hit.firstStage("b", "terns", 2, 1, "bm25"));
    List<Hit> out = new BiEncoderReranker(enc, vs, 8).rerank(Query.of("arctic terns"), in, 2);
    assertThat(enc.documentsEncoded.get()).isEqualTo(1);
    assertThat(out.get(0).id()).isEqualTo("a");
    assertThat(out.get(0).score()).isCloseTo(1.0, within(1e-12));
    assertThat(out.get(0).provenance().stages().get(0).cached()).isTrue();
    assertThat(out.get(1).provenance().stages().get(0).cached()).isFalse();
  }

  @Test
  void constructor_vectorsOfAnotherEncoder_areRefused() {
    assertThatThrownBy(
            () -> new BiEncoderReranker(new FakeEncoder(), DocumentVectors.none("bge-small"), 8))
        .hasMessageContaining("made by 'bge-small', not by the reranker's encoder 'fake-bow'");
  }

  @Test
  void cosine_zeroVector_isZeroAndDimensionsMustMatch() {
    assertThat(VectorMath.cosine(new float[] {0, 0}, new float[] {1, 0})).isEqualTo(0.0);
    assertThatThrownBy(() -> VectorMath.cosine(new float[2], new float[3]))
        .hasMessageContaining("got 2 and 3");
  }

  @Nested
  class Contract extends RerankerContract {
    @Override
    protected Reranker reranker() {
      return new BiEncoderReranker(new FakeEncoder(), DocumentVectors.none("fake-bow"), 2);
    }
  }
}
