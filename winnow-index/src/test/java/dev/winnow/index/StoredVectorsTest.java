package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.Document;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoredVectorsTest {

  @Test
  void vectors_returnsTheNormalisedVectorOfEachIdInOrder() {
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.add(
          List.of(Document.of("a", "alpha"), Document.of("b", "beta"), Document.of("c", "gamma")),
          new float[][] {{3, 4}, {0, 2}, {1, 0}},
          "m");
      index.commit();
      StoredVectors sv = new StoredVectors(index);
      List<Optional<float[]>> out = sv.vectors(List.of("b", "zzz", "a"));
      assertThat(out.get(0)).isPresent();
      assertThat(out.get(0).get()[0]).isCloseTo(0f, within(1e-7f));
      assertThat(out.get(0).get()[1]).isCloseTo(1f, within(1e-7f));
      assertThat(out.get(1)).isEmpty();
      assertThat(out.get(2).get()).containsExactly(0.6f, 0.8f);
      assertThat(sv.model()).hasValue("m");
    }
  }

  @Test
  void vectors_indexWithoutVectors_givesEmpty() {
    try (WinnowIndex index = WinnowIndex.inMemory()) {
      index.add(List.of(Document.of("a", "alpha")));
      index.commit();
      StoredVectors sv = new StoredVectors(index);
      assertThat(sv.vectors(List.of("a")).get(0)).isEmpty();
      assertThat(sv.model()).isEmpty();
    }
  }
}
