package dev.winnow.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns a cross-encoder's raw logit into the probability that the document is relevant, fitted on
 * judged (logit, label) pairs the model did not train on, and kept as {@code calibration.json}
 * beside the model ({@link #FILE_NAME}).
 *
 * <p>Two fits are kept, and {@link #method()} says which one {@link #apply} uses:
 *
 * <ul>
 *   <li>{@link Platt} scaling (Platt 1999, with the Newton method of Lin, Lin and Weng 2007):
 *       {@code p = 1 / (1 + exp(-(a * logit + b)))}, fitted by maximum likelihood against Platt's
 *       smoothed targets {@code (N+ + 1) / (N+ + 2)} for positives and {@code 1 / (N- + 2)} for
 *       negatives;
 *   <li>{@link Isotonic} regression by pool-adjacent-violators: the non-decreasing step function of
 *       the logit that best fits the labels in squared error, stored as breakpoints (strictly
 *       increasing logits, non-decreasing probabilities) and read by linear interpolation between
 *       them, clamped outside (as scikit-learn's {@code IsotonicRegression(out_of_bounds="clip")}).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * @param method the fit {@link #apply} uses
 * @param platt the Platt fit
 * @param isotonic the isotonic fit
 * @param pairs how many pairs it was fitted on
 * @param positives how many of them were relevant
 * @param source what the pairs were (free text, e.g. the dataset, split, queries and depth)
 */
public record Calibration(
    Method method, Platt platt, Isotonic isotonic, int pairs, int positives, String source) {

  /** The file a model folder keeps its calibration in. */
  public static final String FILE_NAME = "calibration.json";

  // NaN and Infinity are read as numbers so that the field holding one can be named.
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  /** Which fit turns a logit into a probability. */
  public enum Method {
    PLATT,
    ISOTONIC;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String name) {
      return switch (name.trim().toLowerCase(Locale.ROOT)) {
        case "platt" -> PLATT;
        case "isotonic" -> ISOTONIC;
        default ->
            throw new IllegalArgumentException(
                "calibration method must be one of platt, isotonic; got '" + name + "'");
      };
    }
  }

  /** {@code p = 1 / (1 + exp(-(a * logit + b)))}. */
  public record Platt(double a, double b) {
    public Platt {
      if (!Double.isFinite(a) || !Double.isFinite(b)) {
        throw new IllegalArgumentException(
            "platt a and b must be finite numbers, got a=" + a + ", b=" + b);
      }
    }

    public double apply(double logit) {
      double z = a * logit + b;
      // The two forms avoid exp overflow on either side.
      return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }
  }

  /**
   * A non-decreasing piecewise-linear map from logits to probabilities through the breakpoints
   * {@code (x[i], y[i])}; below {@code x[0]} it is {@code y[0]}, above the last breakpoint the last
   * {@code y}.
   */
  public record Isotonic(double[] x, double[] y) {
    public Isotonic {
      x = x.clone();
      y = y.clone();
      String problem = problem(x, y);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }

    /** What is wrong with these breakpoints, naming the field; null when nothing is. */
    static String problem(double[] x, double[] y) {
      if (x.length == 0 || x.length != y.length) {
        return "isotonic.x and isotonic.y must be non-empty and of equal length, got "
            + x.length
            + " and "
            + y.length;
      }
      for (int i = 0; i < x.length; i++) {
        if (!Double.isFinite(x[i])) {
          return "isotonic.x[" + i + "] must be a finite number, got " + x[i];
        }
        if (!(y[i] >= 0 && y[i] <= 1)) {
          return "isotonic.y[" + i + "] must be a probability in [0, 1], got " + y[i];
        }
        if (i > 0 && !(x[i] > x[i - 1])) {
          return "isotonic.x must be strictly increasing, but x["
              + i
              + "] = "
              + x[i]
              + " follows "
              + x[i - 1];
        }
        if (i > 0 && y[i] < y[i - 1]) {
          return "isotonic.y must be non-decreasing, but y["
              + i
              + "] = "
              + y[i]
              + " follows "
              + y[i - 1];
        }
      }
      return null;
    }

    public double apply(double logit) {
      if (logit <= x[0]) {
        return y[0];
      }
      int last = x.length - 1;
      if (logit >= x[last]) {
        return y[last];
      }
      int i = Arrays.binarySearch(x, logit);
      if (i >= 0) {
        return y[i];
      }
      int hi = -i - 1;
      int lo = hi - 1;
      double t = (logit - x[lo]) / (x[hi] - x[lo]);
      return y[lo] + t * (y[hi] - y[lo]);
    }

    @Override
    public double[] x() {
      return x.clone();
    }

    @Override
    public double[] y() {
      return y.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Isotonic other && Arrays.equals(x, other.x) && Arrays.equals(y, other.y);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(x) + Arrays.hashCode(y);
    }

    @Override
    public String toString() {
      return "Isotonic[x=" + Arrays.toString(x) + ", y=" + Arrays.toString(y) + "]";
    }
  }

  public Calibration {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(platt, "platt");
    Objects.requireNonNull(isotonic, "isotonic");
    Objects.requireNonNull(source, "source");
    if (pairs < 0 || positives < 0 || positives > pairs) {
      throw new IllegalArgumentException(
          "pairs and positives must satisfy 0 <= positives <= pairs, got pairs="
              + pairs
              + ", positives="
              + positives);
    }
  }

  /**
   * Fits both Platt scaling and isotonic regression on {@code logits} and their 0/1 {@code labels}
   * (1: relevant), {@link Method#ISOTONIC} applied by default. Needs at least one relevant and one
   * non-relevant pair.
   */
  public static Calibration fit(double[] logits, int[] labels, String source) {
    check(logits, labels);
    int positives = 0;
    for (int l : labels) {
      positives += l;
    }
    return new Calibration(
        Method.ISOTONIC,
        fitPlatt(logits, labels),
        fitIsotonic(logits, labels),
        logits.length,
        positives,
        source);
  }

  /** {@link #fit(double[], int[], String)} without a description of the pairs. */
  public static Calibration fit(double[] logits, int[] labels) {
    return fit(logits, labels, "");
  }

  /** This calibration applying {@code m} instead. */
  public Calibration withMethod(Method m) {
    return new Calibration(m, platt, isotonic, pairs, positives, source);
  }

  /** The probability of relevance of a pair with this raw logit, by {@link #method()}. */
  public double apply(double logit) {
    return apply(method, logit);
  }

  public double apply(Method m, double logit) {
    if (!Double.isFinite(logit)) {
      throw new IllegalArgumentException("logit must be a finite number, got " + logit);
    }
    return m == Method.PLATT ? platt.apply(logit) : isotonic.apply(logit);
  }

  private static void check(double[] logits, int[] labels) {
    if (logits.length != labels.length) {
      throw new IllegalArgumentException(
          "logits and labels must be of equal length, got "
              + logits.length
              + " and "
              + labels.length);
    }
    boolean pos = false;
    boolean neg = false;
    for (int i = 0; i < logits.length; i++) {
      if (!Double.isFinite(logits[i])) {
        throw new IllegalArgumentException(
            "logits[" + i + "] must be a finite number, got " + logits[i]);
      }
      if (labels[i] != 0 && labels[i] != 1) {
        throw new IllegalArgumentException("labels[" + i + "] must be 0 or 1, got " + labels[i]);
      }
      pos |= labels[i] == 1;
      neg |= labels[i] == 0;
    }
    if (!pos || !neg) {
      throw new IllegalArgumentException(
          "calibration needs relevant and non-relevant pairs, got "
              + logits.length
              + " pairs, all "
              + (pos ? "relevant" : "non-relevant"));
    }
  }

  /**
   * Platt scaling by Newton's method with backtracking line search, as in Lin, Lin and Weng, "A
   * note on Platt's probabilistic outputs for support vector machines" (2007), Algorithm 1, on
   * {@code p = sigmoid(a * logit + b)}.
   */
  static Platt fitPlatt(double[] f, int[] labels) {
    int n = f.length;
    double prior1 = 0;
    for (int l : labels) {
      prior1 += l;
    }
    double prior0 = n - prior1;
    double hiTarget = (prior1 + 1) / (prior1 + 2);
    double loTarget = 1 / (prior0 + 2);
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = labels[i] == 1 ? hiTarget : loTarget;
    }
    // Lin et al. fit p = 1 / (1 + exp(A f + B)); here a = -A, b = -B.
    double a = 0;
    double b = Math.log((prior0 + 1) / (prior1 + 1));
    double fval = platLoss(f, t, a, b);
    double sigma = 1e-12;
    for (int it = 0; it < 100; it++) {
      double h11 = sigma;
      double h22 = sigma;
      double h21 = 0;
      double g1 = 0;
      double g2 = 0;
      for (int i = 0; i < n; i++) {
        double fApB = f[i] * a + b;
        double p;
        double q;
        if (fApB >= 0) {
          p = Math.exp(-fApB) / (1 + Math.exp(-fApB));
          q = 1 / (1 + Math.exp(-fApB));
        } else {
          p = 1 / (1 + Math.exp(fApB));
          q = Math.exp(fApB) / (1 + Math.exp(fApB));
        }
        double d2 = p * q;
        h11 += f[i] * f[i] * d2;
        h22 += d2;
        h21 += f[i] * d2;
        double d1 = t[i] - p;
        g1 += f[i] * d1;
        g2 += d1;
      }
      if (Math.abs(g1) < 1e-5 && Math.abs(g2) < 1e-5) {
        break;
      }
      double det = h11 * h22 - h21 * h21;
      double dA = -(h22 * g1 - h21 * g2) / det;
      double dB = -(-h21 * g1 + h11 * g2) / det;
      double gd = g1 * dA + g2 * dB;
      double step = 1;
      while (step >= 1e-10) {
        double na = a + step * dA;
        double nb = b + step * dB;
        double nf = platLoss(f, t, na, nb);
        if (nf < fval + 1e-4 * step * gd) {
          a = na;
          b = nb;
          fval = nf;
          break;
        }
        step /= 2;
      }
      if (step < 1e-10) {
        break;
      }
    }
    return new Platt(-a, -b);
  }

  /** Cross-entropy of targets t against p = 1 / (1 + exp(a f + b)), computed stably. */
  private static double platLoss(double[] f, double[] t, double a, double b) {
    double v = 0;
    for (int i = 0; i < f.length; i++) {
      double fApB = f[i] * a + b;
      v +=
          fApB >= 0
              ? t[i] * fApB + Math.log1p(Math.exp(-fApB))
              : (t[i] - 1) * fApB + Math.log1p(Math.exp(fApB));
    }
    return v;
  }

  /**
   * Isotonic regression by pool-adjacent-violators: pairs sorted by logit, equal logits pooled
   * first, then adjacent blocks whose means decrease are merged until none do (equal means merge
   * too: the function is the same with fewer breakpoints). Each block becomes one breakpoint at its
   * lowest logit and one at its highest (one when they are equal).
   */
  static Isotonic fitIsotonic(double[] logits, int[] labels) {
    int n = logits.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (i, j) -> Double.compare(logits[i], logits[j]));
    // Blocks as parallel arrays: lowest and highest logit, label sum, weight.
    double[] lo = new double[n];
    double[] hi = new double[n];
    double[] sum = new double[n];
    double[] weight = new double[n];
    int blocks = 0;
    for (int k = 0; k < n; k++) {
      double x = logits[order[k]];
      int label = labels[order[k]];
      if (blocks > 0 && hi[blocks - 1] == x) {
        sum[blocks - 1] += label;
        weight[blocks - 1] += 1;
      } else {
        lo[blocks] = x;
        hi[blocks] = x;
        sum[blocks] = label;
        weight[blocks] = 1;
        blocks++;
      }
      while (blocks > 1
          && sum[blocks - 2] / weight[blocks - 2] >= sum[blocks - 1] / weight[blocks - 1]) {
        hi[blocks - 2] = hi[blocks - 1];
        sum[blocks - 2] += sum[blocks - 1];
        weight[blocks - 2] += weight[blocks - 1];
        blocks--;
      }
    }
    double[] x = new double[2 * blocks];
    double[] y = new double[2 * blocks];
    int m = 0;
    for (int k = 0; k < blocks; k++) {
      double v = sum[k] / weight[k];
      x[m] = lo[k];
      y[m++] = v;
      if (hi[k] > lo[k]) {
        x[m] = hi[k];
        y[m++] = v;
      }
    }
    return new Isotonic(Arrays.copyOf(x, m), Arrays.copyOf(y, m));
  }

  /** The calibration file of a model folder. */
  public static Path fileOf(Path modelFolder) {
    return modelFolder.resolve(FILE_NAME);
  }

  /**
   * Reads a calibration file; a missing file, malformed JSON, a missing or non-finite number and
   * breakpoints that are not monotone are refused with the file and the field named.
   */
  public static Calibration read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "no calibration at "
              + file
              + "; fit one with: winnow models calibrate MODEL_DIR --dataset BEIR_DIR --split"
              + " train --depth 100 (or give --calibration FILE)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "calibration file " + file + " is not valid JSON: " + e.getMessage(), e);
    }
    try {
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("the top level must be a JSON object");
      }
      Method method = Method.parse(text(root, "method"));
      JsonNode p = object(root, "platt");
      Platt platt = new Platt(number(p, "platt.a", "a"), number(p, "platt.b", "b"));
      JsonNode iso = object(root, "isotonic");
      double[] x = numbers(iso, "isotonic.x", "x");
      double[] y = numbers(iso, "isotonic.y", "y");
      String problem = Isotonic.problem(x, y);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      JsonNode fitted = root.path("fitted_on");
      return new Calibration(
          method,
          platt,
          new Isotonic(x, y),
          fitted.path("pairs").asInt(0),
          fitted.path("positives").asInt(0),
          fitted.path("source").asText(""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "calibration file " + file + " is refused: " + e.getMessage(), e);
    }
  }

  /** Writes this calibration to {@code file} (through a temporary file, then renamed). */
  public void write(Path file) {
    ObjectNode root = JSON.createObjectNode();
    root.put("method", method.label());
    ObjectNode p = root.putObject("platt");
    p.put("a", platt.a());
    p.put("b", platt.b());
    ObjectNode iso = root.putObject("isotonic");
    ArrayNode xs = iso.putArray("x");
    ArrayNode ys = iso.putArray("y");
    for (double v : isotonic.x) {
      xs.add(v);
    }
    for (double v : isotonic.y) {
      ys.add(v);
    }
    ObjectNode fitted = root.putObject("fitted_on");
    fitted.put("pairs", pairs);
    fitted.put("positives", positives);
    fitted.put("source", source);
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".calibration", ".tmp");
      try {
        Files.writeString(tmp, JSON.writeValueAsString(root) + "\n");
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a calibration", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write calibration " + file, e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string (platt or isotonic)");
    }
    return v.asText();
  }

  private static JsonNode object(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isObject()) {
      throw new IllegalArgumentException(field + " must be an object, got " + v);
    }
    return v;
  }

  private static double number(JsonNode n, String path, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new IllegalArgumentException(path + " must be a finite number, got " + show(v));
    }
    return v.asDouble();
  }

  private static String show(JsonNode v) {
    return v == null ? "nothing" : v.isValueNode() ? v.asText() : v.toString();
  }

  private static double[] numbers(JsonNode n, String path, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException(path + " must be an array of numbers, got " + v);
    }
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode e = v.get(i);
      if (!e.isNumber() || !Double.isFinite(e.asDouble())) {
        throw new IllegalArgumentException(
            path + "[" + i + "] must be a finite number, got " + show(e));
      }
      out[i] = e.asDouble();
    }
    return out;
  }
}
