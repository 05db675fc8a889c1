package dev.winnow.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueryCachingEncoderTest {

  /** Counts query encodings. */
  static final class Counting extends FakeEncoderWrapper {
    int queries;

    @Override
    public float[][] encodeQueries(List<String> q) {
      queries += q.size();
      return super.encodeQueries(q);
    }
  }

  static class FakeEncoderWrapper implements dev.winnow.api.Encoder {
    private final FakeEncoder inner = new FakeEncoder();

    @Override
    public float[][] encodeQueries(List<String> q) {
      return inner.encodeQueries(q);
    }

    @Override
    public float[][] encodeDocuments(List<String> d) {
      return inner.encodeDocuments(d);
    }

    @Override
    public int dimension() {
      return inner.dimension();
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public void close() {}
  }

  @Test
  void encodeQueries_secondTimeComesFromTheCacheAndEqualsTheFirst() {
    Counting c = new Counting();
    QueryCachingEncoder e = new QueryCachingEncoder(c, 2);
    float[] a = e.encodeQueries(List.of("arctic terns"))[0];
    float[][] again = e.encodeQueries(List.of("bread", "arctic terns"));
    assertThat(c.queries).isEqualTo(2);
    assertThat(again[1]).containsExactly(a);
    assertThat(again[0]).containsExactly(FakeEncoder.embed("bread"));
    e.encodeQueries(List.of("solar"));
    e.encodeQueries(List.of("arctic terns")); // evicted by capacity 2
    assertThat(c.queries).isEqualTo(4);
  }
}
