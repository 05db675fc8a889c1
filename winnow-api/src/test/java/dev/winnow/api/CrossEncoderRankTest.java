package dev.winnow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrossEncoderRankTest {

  /** Scores a pair by how many query words the document holds. */
  private static final class WordOverlap implements CrossEncoder {
    @Override
    public List<PairScore> scorePairs(List<TextPair> pairs, ScoringOptions options) {
      List<PairScore> out = new ArrayList<>();
      for (TextPair p : pairs) {
        double n = 0;
        for (String w : p.query().split(" ")) {
          n += p.document().contains(w) ? 1 : 0;
        }
        out.add(new PairScore(n, n, 1));
      }
      return out;
    }

    @Override
    public String name() {
      return "overlap";
    }

    @Override
    public Activation defaultActivation() {
      return Activation.RAW;
    }

    @Override
    public int maxLength() {
      return 512;
    }

    @Override
    public void close() {}
  }

  @Test
  void rank_bestFirst_withInputIndices_cutAtTopK() {
    List<RankedDocument> top =
        new WordOverlap()
            .rank("fever aspirin", List.of("statins", "aspirin for fever", "fever"), 2);
    assertThat(top).extracting(RankedDocument::index).containsExactly(1, 2);
    assertThat(top).extracting(RankedDocument::id).containsExactly("1", "2");
    assertThat(top.get(0).score()).isEqualTo(2.0);
  }

  @Test
  void rank_badTopK_namesIt() {
    assertThatThrownBy(() -> new WordOverlap().rank("q", List.of("d"), 0))
        .hasMessage("topN must be >= 1, got 0");
  }
}
