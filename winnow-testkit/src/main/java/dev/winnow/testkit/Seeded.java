package dev.winnow.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Seeded random inputs for property-style tests: each case is one seed, so a failure names the seed
 * that reproduces it ({@code @ParameterizedTest @MethodSource} over {@link #seeds}).
 */
public final class Seeded {

  private Seeded() {}

  /** Seeds {@code 1..count}, fixed so every run checks the same cases. */
  public static Stream<Long> seeds(int count) {
    return LongStream.rangeClosed(1, count).boxed();
  }

  /**
   * Up to {@code maxWords} words drawn from {@code vocabulary}, joined by spaces (may be empty).
   */
  public static String text(Random random, List<String> vocabulary, int maxWords) {
    int n = random.nextInt(maxWords + 1);
    List<String> words = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      words.add(vocabulary.get(random.nextInt(vocabulary.size())));
    }
    return String.join(" ", words);
  }

  /** Like {@link #text} but never blank. */
  public static String nonBlankText(Random random, List<String> vocabulary, int maxWords) {
    String t = text(random, vocabulary, maxWords);
    return t.isBlank() ? vocabulary.get(random.nextInt(vocabulary.size())) : t;
  }

  /** Between {@code min} and {@code max} texts (inclusive). */
  public static List<String> texts(
      Random random, List<String> vocabulary, int min, int max, int maxWords) {
    int n = min + random.nextInt(max - min + 1);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(text(random, vocabulary, maxWords));
    }
    return out;
  }
}
