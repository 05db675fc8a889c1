package dev.winnow.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * An open-loop load generator for {@code POST /v2/rerank}: requests leave on a fixed schedule
 * whatever the server does, and latency is measured from the scheduled send time, so queueing is
 * not hidden (closed-loop tools wait for an answer before sending the next request and so slow down
 * with the server).
 *
 * <p>Phases, each bounded: warm-up; 30 sequential requests (idle latency and server overhead read
 * from the server's own metrics: request time minus model time); capacity ({@code --clients}
 * closed-loop clients, default 4, fewer than the queue holds, completed requests per second); then
 * open loop at 0.5x, 1x, 2x and 5x capacity, each followed by a recovery probe (one request every
 * 50 ms until one answers 200 within 1.5x the idle p50).
 *
 * <p>Usage: {@code java ... OpenLoopLoad --url http://127.0.0.1:8080 [--docs 20] [--words 150]
 * [--seconds 15] [--key KEY] [--idle 30] [--phases idle,capacity,0.5,1,2,5] [--capacity R]}, or
 * {@code --fake NANOS_PER_PAIR} to start an in-process server on the fake engine. {@code
 * bench/load.sh} wraps it.
 */
public final class OpenLoopLoad {

  private static final String[] WORDS =
      ("the of and to in is was for that with as on by at from his her which an are be this had not"
              + " it were have but their they has been one also its more other after first new two when"
              + " who into time may over only most some would about there these than many can such"
              + " cell protein gene patients study expression cancer disease treatment clinical results"
              + " risk increased human mice role analysis associated levels response data effect model"
              + " function activity growth blood tumor therapy infection immune brain heart virus dose")
          .split(" ");

  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .executor(java.util.concurrent.Executors.newFixedThreadPool(8))
          .build();
  private final String url;
  private final String key;
  private final List<byte[]> bodies = new ArrayList<>();

  private OpenLoopLoad(String url, String key, int docs, int words) {
    this.url = url;
    this.key = key;
    Random random = new Random(42);
    for (int b = 0; b < 64; b++) {
      ObjectNode req = Http.JSON.createObjectNode();
      req.put("model", "winnow");
      req.put("query", text(random, 8));
      ArrayNode d = req.putArray("documents");
      for (int i = 0; i < docs; i++) {
        d.add(text(random, words));
      }
      bodies.add(req.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static String text(Random random, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  private HttpRequest request(int i) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + "/v2/rerank"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i % bodies.size())));
    if (!key.isEmpty()) {
      b.header("Authorization", "Bearer " + key);
    }
    return b.build();
  }

  private record Result(int status, long nanos, String body) {}

  private Result send(int i) {
    long start = System.nanoTime();
    try {
      HttpResponse<String> r = client.send(request(i), HttpResponse.BodyHandlers.ofString());
      return new Result(r.statusCode(), System.nanoTime() - start, r.body());
    } catch (IOException e) {
      return new Result(-1, System.nanoTime() - start, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String metrics() {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + "/metrics"));
      if (!key.isEmpty()) {
        b.header("Authorization", "Bearer " + key);
      }
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static double metric(String text, String series) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static String ms(double nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  /** Sequential requests: client p50 and the server's own request time minus model time. */
  private double idle(int n) {
    String before = metrics();
    Histogram h = new Histogram(3);
    long tokens = 0;
    for (int i = 0; i < n; i++) {
      Result r = send(i);
      if (r.status != 200) {
        throw new IllegalStateException("idle request answered " + r.status + ": " + r.body);
      }
      h.recordValue(r.nanos);
      try {
        tokens += Http.JSON.readTree(r.body).at("/meta/tokens/input_tokens").asLong();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    String after = metrics();
    String route = "{route=\"/v2/rerank\",status=\"200\"}";
    double requestSec =
        metric(after, "winnow_http_request_duration_seconds_sum" + route)
            - metric(before, "winnow_http_request_duration_seconds_sum" + route);
    double modelSec =
        metric(after, "winnow_batch_duration_seconds_sum")
            - metric(before, "winnow_batch_duration_seconds_sum");
    double batches =
        metric(after, "winnow_batch_duration_seconds_count")
            - metric(before, "winnow_batch_duration_seconds_count");
    System.out.printf(
        Locale.ROOT,
        "idle: %d sequential requests, %.0f tokens/request; client p50 %s ms p99 %s ms;"
            + " server time/request %s ms, model time/request %s ms (%.1f batches/request);"
            + " server overhead %.2f%% of model time%n",
        n,
        (double) tokens / n,
        ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(99)),
        ms(requestSec / n * 1e9),
        ms(modelSec / n * 1e9),
        batches / n,
        modelSec > 0 ? 100 * (requestSec - modelSec) / modelSec : Double.NaN);
    return h.getValueAtPercentile(50);
  }

  /**
   * Closed loop with {@code clients} threads for {@code seconds}: completed requests per second.
   */
  private double capacity(int clients, int seconds) throws InterruptedException {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int offset = c * 7;
      Thread t =
          new Thread(
              () -> {
                int i = offset;
                while (System.nanoTime() < end) {
                  if (send(i++).status == 200) {
                    done.incrementAndGet();
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    long start = System.nanoTime();
    for (Thread t : threads) {
      t.join();
    }
    double rate = done.get() / ((System.nanoTime() - start) / 1e9);
    System.out.printf(
        Locale.ROOT, "capacity: %d closed-loop clients, %.2f requests/s%n", clients, rate);
    return rate;
  }

  /** Open loop at {@code rate} for {@code seconds}, then the recovery probe. */
  private void open(String label, double rate, int seconds, double idleP50)
      throws InterruptedException {
    int n = (int) Math.round(rate * seconds);
    Histogram ok = new Histogram(3);
    AtomicLong status429 = new AtomicLong();
    AtomicLong status503 = new AtomicLong();
    AtomicLong other = new AtomicLong();
    List<CompletableFuture<Void>> all = new ArrayList<>(n);
    long t0 = System.nanoTime() + 50_000_000L;
    for (int i = 0; i < n; i++) {
      long due = t0 + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      all.add(
          client
              .sendAsync(request(i), HttpResponse.BodyHandlers.discarding())
              .handle(
                  (r, e) -> {
                    long latency = System.nanoTime() - due;
                    int s = r == null ? -1 : r.statusCode();
                    if (s == 200) {
                      synchronized (ok) {
                        ok.recordValue(latency);
                      }
                    } else if (s == 429) {
                      status429.incrementAndGet();
                    } else if (s == 503) {
                      status503.incrementAndGet();
                    } else {
                      other.incrementAndGet();
                    }
                    return null;
                  }));
    }
    long sendEnd = System.nanoTime();
    long recovery = recovery(idleP50, sendEnd);
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    double window = (sendEnd - t0) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s: offered %.2f req/s for %d s (%d requests); goodput %.2f req/s; 200 %d, 429 %.1f%%,"
            + " 503 %.1f%%, other %d; admitted p50 %s ms p99 %s ms max %s ms;"
            + " recovery %s ms after the last send%n",
        label,
        rate,
        seconds,
        n,
        ok.getTotalCount() / window,
        ok.getTotalCount(),
        100.0 * status429.get() / n,
        100.0 * status503.get() / n,
        other.get(),
        ms(ok.getValueAtPercentile(50)),
        ms(ok.getValueAtPercentile(99)),
        ms(ok.getMaxValue()),
        recovery < 0 ? "n/a (>30 s)" : ms(recovery));
  }

  /** Time from {@code from} until a probe answers 200 within 1.5x the idle p50. */
  private long recovery(double idleP50, long from) {
    long limit = from + TimeUnit.SECONDS.toNanos(30);
    int i = 0;
    while (System.nanoTime() < limit) {
      Result r = send(1000 + i++);
      if (r.status == 200 && r.nanos <= 1.5 * idleP50) {
        return System.nanoTime() - from;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
    return -1;
  }

  public static void main(String[] args) throws Exception {
    String url = "";
    String key = "";
    int docs = 20;
    int words = 150;
    int seconds = 15;
    long fakeNanos = -1;
    String phases = "idle,capacity,0.5,1,2,5";
    int idleRequests = 30;
    int clients = 4;
    double capacity = Double.NaN;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--key" -> key = args[i + 1];
        case "--docs" -> docs = Integer.parseInt(args[i + 1]);
        case "--words" -> words = Integer.parseInt(args[i + 1]);
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--fake" -> fakeNanos = Long.parseLong(args[i + 1]);
        case "--phases" -> phases = args[i + 1];
        case "--idle" -> idleRequests = Integer.parseInt(args[i + 1]);
        case "--clients" -> clients = Integer.parseInt(args[i + 1]);
        case "--capacity" -> capacity = Double.parseDouble(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    WinnowServer server = null;
    if (fakeNanos >= 0) {
      server =
          new WinnowServer(new FakeCrossEncoder(fakeNanos), ServerConfig.DEFAULTS.withPort(0))
              .start();
      url = server.baseUrl();
    }
    if (url.isEmpty()) {
      throw new IllegalArgumentException("give --url of a running server or --fake NANOS");
    }
    OpenLoopLoad load = new OpenLoopLoad(url, key, docs, words);
    System.out.printf(
        Locale.ROOT, "target %s: %d documents x %d words per request%n", url, docs, words);
    try {
      for (int i = 0; i < 10; i++) {
        load.send(i);
      }
      double idleP50 = load.idle(idleRequests);
      for (String phase : phases.split(",")) {
        if (phase.equals("idle")) {
          continue;
        }
        if (phase.equals("capacity")) {
          capacity = load.capacity(clients, seconds);
          continue;
        }
        double factor = Double.parseDouble(phase);
        load.open(phase + "x capacity", factor * capacity, seconds, idleP50);
      }
    } finally {
      if (server != null) {
        server.close();
      }
      System.exit(0);
    }
  }
}
