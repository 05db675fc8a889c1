package dev.winnow.server;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The server's counters and histograms, exposed in the Prometheus text format (version 0.0.4).
 *
 * <p>Thread-safe: every update is a lock-free adder; {@link #render} reads a consistent-enough
 * snapshot (each series on its own, as Prometheus client libraries do).
 */
final class ServerMetrics {

  private static final double[] LATENCY_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };
  private static final double[] BATCH_PAIR_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
  private static final double[] BATCH_TOKEN_BUCKETS = {
    128, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536
  };

  private final Map<String, Histogram> requestSeconds = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rejections = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> cancellations = new ConcurrentHashMap<>();
  private final Histogram batchPairs = new Histogram(BATCH_PAIR_BUCKETS);
  private final Histogram batchTokens = new Histogram(BATCH_TOKEN_BUCKETS);
  private final Histogram batchSeconds = new Histogram(LATENCY_BUCKETS);
  private final LongAdder pairsScored = new LongAdder();
  private final LongAdder tokensScored = new LongAdder();
  private final LongAdder batchFailures = new LongAdder();
  private final AtomicLong inFlight = new AtomicLong();
  private volatile LongSupplier queuedPairs = () -> 0;
  private volatile LongSupplier queuedRequests = () -> 0;

  void bindQueue(LongSupplier pairs, LongSupplier requests) {
    this.queuedPairs = pairs;
    this.queuedRequests = requests;
  }

  void requestStarted() {
    inFlight.incrementAndGet();
  }

  void requestFinished(String route, int status, long nanos) {
    inFlight.decrementAndGet();
    requestSeconds
        .computeIfAbsent(route + "\u0000" + status, k -> new Histogram(LATENCY_BUCKETS))
        .observe(nanos / 1e9);
  }

  void rejected(String reason) {
    rejections.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  void cancelled(String reason) {
    cancellations.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  void batch(int pairs, long paddedTokens, long realTokens, long nanos) {
    batchPairs.observe(pairs);
    batchTokens.observe(paddedTokens);
    batchSeconds.observe(nanos / 1e9);
    pairsScored.add(pairs);
    tokensScored.add(realTokens);
  }

  void batchFailed() {
    batchFailures.increment();
  }

  long inFlight() {
    return inFlight.get();
  }

  long pairsScored() {
    return pairsScored.sum();
  }

  long rejections(String reason) {
    LongAdder a = rejections.get(reason);
    return a == null ? 0 : a.sum();
  }

  long cancellations(String reason) {
    LongAdder a = cancellations.get(reason);
    return a == null ? 0 : a.sum();
  }

  /** The Prometheus text exposition of every metric. */
  String render() {
    StringBuilder sb = new StringBuilder(8192);
    header(
        sb,
        "winnow_http_requests_total",
        "counter",
        "HTTP requests answered, by route and status.");
    Map<String, Histogram> sorted = new TreeMap<>(requestSeconds);
    for (Map.Entry<String, Histogram> e : sorted.entrySet()) {
      sb.append("winnow_http_requests_total")
          .append(labels(e.getKey()))
          .append(' ')
          .append(e.getValue().count.sum())
          .append('\n');
    }
    header(
        sb,
        "winnow_http_request_duration_seconds",
        "histogram",
        "Time from the request's arrival to its answer, by route and status.");
    for (Map.Entry<String, Histogram> e : sorted.entrySet()) {
      String[] parts = e.getKey().split("\u0000", 2);
      String l = "route=\"" + parts[0] + "\",status=\"" + parts[1] + "\"";
      e.getValue().render(sb, "winnow_http_request_duration_seconds", l);
    }
    header(sb, "winnow_http_in_flight_requests", "gauge", "Requests being handled now.");
    sb.append("winnow_http_in_flight_requests ").append(inFlight.get()).append('\n');
    header(sb, "winnow_queue_pairs", "gauge", "Pairs waiting for the model.");
    sb.append("winnow_queue_pairs ").append(queuedPairs.getAsLong()).append('\n');
    header(sb, "winnow_queue_requests", "gauge", "Requests with pairs waiting for the model.");
    sb.append("winnow_queue_requests ").append(queuedRequests.getAsLong()).append('\n');
    header(sb, "winnow_pairs_scored_total", "counter", "Query-document pairs the model scored.");
    sb.append("winnow_pairs_scored_total ").append(pairsScored.sum()).append('\n');
    header(
        sb,
        "winnow_tokens_scored_total",
        "counter",
        "Tokens the model read (specials included, padding excluded).");
    sb.append("winnow_tokens_scored_total ").append(tokensScored.sum()).append('\n');
    header(sb, "winnow_batch_pairs", "histogram", "Pairs per model call.");
    batchPairs.render(sb, "winnow_batch_pairs", "");
    header(
        sb,
        "winnow_batch_padded_tokens",
        "histogram",
        "Estimated padded tokens per model call (pairs x longest pair).");
    batchTokens.render(sb, "winnow_batch_padded_tokens", "");
    header(sb, "winnow_batch_duration_seconds", "histogram", "Time of one model call.");
    batchSeconds.render(sb, "winnow_batch_duration_seconds", "");
    header(sb, "winnow_batch_failures_total", "counter", "Model calls that threw.");
    sb.append("winnow_batch_failures_total ").append(batchFailures.sum()).append('\n');
    header(sb, "winnow_rejections_total", "counter", "Requests refused before scoring, by reason.");
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(rejections).entrySet()) {
      sb.append("winnow_rejections_total{reason=\"")
          .append(e.getKey())
          .append("\"} ")
          .append(e.getValue().sum())
          .append('\n');
    }
    header(
        sb,
        "winnow_cancellations_total",
        "counter",
        "Admitted requests whose remaining work was dropped, by reason.");
    for (Map.Entry<String, LongAdder> e : new TreeMap<>(cancellations).entrySet()) {
      sb.append("winnow_cancellations_total{reason=\"")
          .append(e.getKey())
          .append("\"} ")
          .append(e.getValue().sum())
          .append('\n');
    }
    return sb.toString();
  }

  private static String labels(String key) {
    String[] parts = key.split("\u0000", 2);
    return "{route=\"" + parts[0] + "\",status=\"" + parts[1] + "\"}";
  }

  private static void header(StringBuilder sb, String name, String type, String help) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** A cumulative-bucket histogram with fixed upper bounds. */
  private static final class Histogram {
    private final double[] bounds;
    private final LongAdder[] buckets;
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.buckets = new LongAdder[bounds.length];
      for (int i = 0; i < bounds.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    void observe(double v) {
      for (int i = 0; i < bounds.length; i++) {
        if (v <= bounds[i]) {
          buckets[i].increment();
          break;
        }
      }
      count.increment();
      sum.add(v);
    }

    void render(StringBuilder sb, String name, String labels) {
      String sep = labels.isEmpty() ? "" : labels + ",";
      long cumulative = 0;
      for (int i = 0; i < bounds.length; i++) {
        cumulative += buckets[i].sum();
        sb.append(name)
            .append("_bucket{")
            .append(sep)
            .append("le=\"")
            .append(format(bounds[i]))
            .append("\"} ")
            .append(cumulative)
            .append('\n');
      }
      long n = count.sum();
      sb.append(name).append("_bucket{").append(sep).append("le=\"+Inf\"} ").append(n).append('\n');
      String braces = labels.isEmpty() ? "" : "{" + labels + "}";
      sb.append(name)
          .append("_sum")
          .append(braces)
          .append(' ')
          .append(String.format(Locale.ROOT, "%.6f", sum.sum()))
          .append('\n');
      sb.append(name).append("_count").append(braces).append(' ').append(n).append('\n');
    }

    private static String format(double d) {
      return d == Math.rint(d) ? Long.toString((long) d) + ".0" : Double.toString(d);
    }
  }
}
