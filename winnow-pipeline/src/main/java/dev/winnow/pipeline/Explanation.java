package dev.winnow.pipeline;

import dev.winnow.api.Activation;
import dev.winnow.api.Hit;
import dev.winnow.api.LateInteractionScore;
import dev.winnow.api.PassageWindow;
import dev.winnow.api.Provenance;
import dev.winnow.api.SourceRank;
import dev.winnow.api.StageFusion;
import dev.winnow.api.StageScore;
import dev.winnow.api.TokenMatch;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders a hit's provenance as text ({@code --explain}): the first stage (or the fused lists and
 * the fusion arithmetic), then every rerank stage with its raw output, activation, passage window
 * and cache flag, how a stage fused its score with the earlier tier's, and for a late-interaction
 * stage the document token each query token matched. The last line is {@code score = X}, where X is
 * read from the provenance alone (the last stage's score, else the first stage's) and printed so
 * that it parses back to the same double; tests check it equals {@link Hit#score()}.
 */
public final class Explanation {

  private Explanation() {}

  /** Renders {@code hit}; {@code fusion} explains a fused first stage when given. */
  public static String render(Hit hit, Optional<Fusion> fusion) {
    Provenance p = hit.provenance();
    StringBuilder sb = new StringBuilder();
    sb.append("doc ").append(hit.id()).append('\n');
    sb.append("  first stage ")
        .append(p.retriever())
        .append(": rank ")
        .append(p.firstStageRank())
        .append(", score ")
        .append(number(p.firstStageScore()))
        .append('\n');
    for (SourceRank s : p.sources()) {
      sb.append("    from ")
          .append(s.retriever())
          .append(": rank ")
          .append(s.rank())
          .append(", score ")
          .append(number(s.score()))
          .append('\n');
    }
    if (p.fusedScore().isPresent()) {
      sb.append("    fused: ");
      sb.append(fusion.map(f -> f.explain(p)).orElse(number(p.fusedScore().getAsDouble())));
      sb.append('\n');
    }
    int i = 1;
    for (StageScore st : p.stages()) {
      sb.append("  stage ").append(i++).append(' ').append(st.stage()).append(": ");
      if (st.activation() == Activation.RAW) {
        sb.append("raw ").append(number(st.raw()));
      } else {
        sb.append(st.activation().label())
            .append('(')
            .append(number(st.raw()))
            .append(") = ")
            .append(number(st.score()));
      }
      st.window().ifPresent(w -> sb.append(", ").append(window(w)));
      if (st.cached()) {
        sb.append(", cached");
      }
      st.lateInteraction()
          .ifPresent(li -> sb.append(", MaxSim, document vectors ").append(li.vectorsLabel()));
      sb.append('\n');
      st.fusion().ifPresent(f -> sb.append("    fused: ").append(fusion(f)).append('\n'));
      st.lateInteraction().ifPresent(li -> matches(sb, li));
    }
    sb.append("  score = ").append(Double.toString(finalScore(p)));
    return sb.toString();
  }

  /** One line per query token: the document token it matched and their similarity. */
  private static void matches(StringBuilder sb, LateInteractionScore li) {
    for (TokenMatch m : li.matches()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "    query token %d %s -> document token %d %s: %s%n",
              m.queryToken(),
              m.queryText(),
              m.documentToken(),
              m.documentText(),
              number(m.similarity())));
    }
  }

  /** The score the provenance ends in: the last stage's, else the first stage's. */
  public static double finalScore(Provenance p) {
    return p.stages().isEmpty()
        ? p.firstStageScore()
        : p.stages().get(p.stages().size() - 1).score();
  }

  static String fusion(StageFusion f) {
    if (f.method() == StageFusion.Method.LINEAR) {
      return String.format(
          Locale.ROOT,
          "linear %s·minmax(earlier %s) + %s·minmax(stage %s) = %s·%s + %s·%s = %s",
          number(f.weight()),
          number(f.earlierScore()),
          number(1 - f.weight()),
          number(f.stageScore()),
          number(f.weight()),
          number(f.earlierNormalized()),
          number(1 - f.weight()),
          number(f.stageNormalized()),
          number(f.score()));
    }
    return String.format(
        Locale.ROOT,
        "rrf(k=%d) 1/(k+rank of earlier %s) + 1/(k+rank of stage %s) = %s + %s = %s",
        (int) f.weight(),
        number(f.earlierScore()),
        number(f.stageScore()),
        number(f.earlierNormalized()),
        number(f.stageNormalized()),
        number(f.score()));
  }

  static String window(PassageWindow w) {
    return String.format(
        Locale.ROOT,
        "window %d/%d tokens [%d, %d), %d tokens unread",
        w.index() + 1,
        w.count(),
        w.startToken(),
        w.endToken(),
        w.droppedTokens());
  }

  /** A number for humans: four significant decimals, plain notation. */
  static String number(double x) {
    if (x != 0 && Math.abs(x) < 1e-3) {
      return String.format(Locale.ROOT, "%.4g", x);
    }
    return String.format(Locale.ROOT, "%.4f", x);
  }
}
