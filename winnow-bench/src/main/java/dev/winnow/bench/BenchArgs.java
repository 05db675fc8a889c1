package dev.winnow.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name value} command lines of the bench harnesses ({@link Compare}, {@link
 * FirstStage}): defaults overridden by the given pairs, and integers checked with messages that
 * name the option.
 */
final class BenchArgs {

  private BenchArgs() {}

  /**
   * {@code defaults} with each {@code --name value} pair of {@code args} applied; a name not among
   * the defaults, or a name without a value, is refused with the list of options.
   */
  static Map<String, String> parse(String[] args, Map<String, String> defaults) {
    Map<String, String> a = new LinkedHashMap<>(defaults);
    for (int i = 0; i < args.length; i++) {
      String k = args[i].replaceFirst("^--", "");
      if (!a.containsKey(k) || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "unknown option or missing value '" + args[i] + "'; options: " + a.keySet());
      }
      a.put(k, args[++i]);
    }
    return a;
  }

  /** {@code value} as an integer of at least {@code min}. */
  static int atLeast(String name, String value, int min) {
    int n;
    try {
      n = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be an integer >= " + min + ", got '" + value + "'", e);
    }
    if (n < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + n);
    }
    return n;
  }

  /** A comma-separated list of integers, each at least {@code min}. */
  static List<Integer> eachAtLeast(String name, String values, int min) {
    List<Integer> out = new ArrayList<>();
    for (String s : values.split(",")) {
      out.add(atLeast(name, s, min));
    }
    return List.copyOf(out);
  }
}
