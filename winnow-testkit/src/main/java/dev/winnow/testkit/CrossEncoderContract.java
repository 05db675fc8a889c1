package dev.winnow.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.api.Activation;
import dev.winnow.api.CrossEncoder;
import dev.winnow.api.PairScore;
import dev.winnow.api.ScoringOptions;
import dev.winnow.api.TextPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CrossEncoder} must do: finite scores, an error (not a score) for a NaN output,
 * scores in input order, a pair's score independent of the other pairs in its call and of their
 * order, empty in → empty out, the same answer twice, and the score the activation of the logit.
 * Extend it and supply the encoder (and, for a real model, the batch tolerance it allows and, when
 * one can be built, an encoder whose model outputs NaN).
 */
public abstract class CrossEncoderContract {

  /** The encoder under test; may be built once and shared. */
  protected abstract CrossEncoder encoder();

  /**
   * An encoder of the same kind whose model outputs NaN; empty where none can be built (then the
   * NaN test is skipped, saying so).
   */
  protected Optional<CrossEncoder> encoderYieldingNaN() {
    return Optional.empty();
  }

  /** How far a score may move when a pair is scored alone or in another order. */
  protected double batchTolerance() {
    return 0.0;
  }

  /** Pairs with different queries and lengths, an empty document among them. */
  protected List<TextPair> pairs() {
    return List.of(
        new TextPair("how do cross encoders rerank", "Cross encoders read query and document."),
        new TextPair("how do cross encoders rerank", "A recipe for sourdough bread."),
        new TextPair("arctic tern migration", "The arctic tern migrates from pole to pole."),
        new TextPair("arctic tern migration", ""),
        new TextPair("bm25", "BM25 ranks by term frequency and document length, then a model"),
        new TextPair("q", "x"));
  }

  @Test
  void scorePairs_scoresAreFinite() {
    for (PairScore s : encoder().scorePairs(pairs(), ScoringOptions.DEFAULTS)) {
      assertThat(Double.isFinite(s.logit())).as("logit %s", s.logit()).isTrue();
      assertThat(Double.isFinite(s.score())).as("score %s", s.score()).isTrue();
      assertThat(s.tokens()).isPositive();
    }
  }

  @Test
  void scorePairs_nanOutput_isAnIllegalState() {
    Optional<CrossEncoder> nan = encoderYieldingNaN();
    Assumptions.assumeTrue(
        nan.isPresent(), getClass().getSimpleName() + " cannot build an encoder that outputs NaN");
    assertThatThrownBy(() -> nan.get().scorePairs(pairs(), ScoringOptions.DEFAULTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("NaN");
  }

  @Test
  void scorePairs_emptyInput_emptyOutput() {
    assertThat(encoder().scorePairs(List.of(), ScoringOptions.DEFAULTS)).isEmpty();
  }

  @Test
  void scorePairs_sameAnswerTwice() {
    List<PairScore> a = encoder().scorePairs(pairs(), ScoringOptions.DEFAULTS);
    List<PairScore> b = encoder().scorePairs(pairs(), ScoringOptions.DEFAULTS);
    assertThat(b).hasSameSizeAs(a);
    for (int i = 0; i < a.size(); i++) {
      assertThat(b.get(i).logit()).isCloseTo(a.get(i).logit(), within(batchTolerance()));
    }
  }

  @Test
  void scorePairs_inInputOrder_whateverTheOrder() {
    List<TextPair> pairs = pairs();
    List<TextPair> reversed = new ArrayList<>(pairs);
    Collections.reverse(reversed);
    List<PairScore> forward = encoder().scorePairs(pairs, ScoringOptions.DEFAULTS);
    List<PairScore> backward = encoder().scorePairs(reversed, ScoringOptions.DEFAULTS);
    assertThat(forward).hasSize(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      assertThat(backward.get(pairs.size() - 1 - i).logit())
          .as("pair %d", i)
          .isCloseTo(forward.get(i).logit(), within(batchTolerance()));
    }
  }

  @Test
  void scorePairs_batchCompositionDoesNotChangeAScore() {
    List<PairScore> batch = encoder().scorePairs(pairs(), ScoringOptions.DEFAULTS);
    for (int i = 0; i < pairs().size(); i++) {
      PairScore alone =
          encoder().scorePairs(List.of(pairs().get(i)), ScoringOptions.DEFAULTS).get(0);
      assertThat(alone.logit())
          .as("pair %d", i)
          .isCloseTo(batch.get(i).logit(), within(batchTolerance()));
      assertThat(alone.tokens()).as("pair %d", i).isEqualTo(batch.get(i).tokens());
    }
  }

  @Test
  void scorePairs_scoreIsTheActivationOfTheLogit() {
    for (Activation a : List.of(Activation.RAW, Activation.SIGMOID)) {
      for (PairScore s : encoder().scorePairs(pairs(), ScoringOptions.DEFAULTS.withActivation(a))) {
        assertThat(s.score()).isCloseTo(a.apply(s.logit()), within(1e-9));
      }
    }
  }
}
