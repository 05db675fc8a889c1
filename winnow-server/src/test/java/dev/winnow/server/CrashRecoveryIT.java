package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.api.Document;
import dev.winnow.index.IndexIntegrity;
import dev.winnow.index.WinnowIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash harness: a server JVM ingesting through HTTP is killed with SIGKILL at random moments
 * (mostly while requests are being committed), restarted, and checked. Writer threads log an id
 * with its content hash only after a 2xx. After every kill, a copy of the index must pass
 * CheckIndex, every acknowledged id must be present with its content, and no id may appear twice.
 *
 * <p>Cycles: {@code -Dwinnow.crash.cycles} (default 30, about a minute on two cores).
 */
class CrashRecoveryIT {

  private static final int CYCLES = Integer.getInteger("winnow.crash.cycles", 30);
  private static final int WRITERS = 3;
  private static final int BATCH = 5;

  @TempDir Path tmp;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Acknowledged id → SHA-256 of its text; only ever written after a 2xx. */
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();

  @Test
  void sigkillDuringIngestion_losesNothingAcknowledged_andLeavesNoDuplicates() throws Exception {
    Path index = tmp.resolve("index");
    Path ackLog = tmp.resolve("acknowledged.log");
    Random random = new Random(Long.getLong("winnow.crash.seed", 20261127L));
    int killsDuringWrites = 0;
    long attempted = 0;
    long started = System.nanoTime();
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      Process server = start(index, cycle);
      int port = awaitPort(server, cycle);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger inFlight = new AtomicInteger();
      AtomicInteger posts = new AtomicInteger();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        int c = cycle;
        Thread t =
            new Thread(
                () -> write(port, c, writer, stop, inFlight, posts, ackLog), "crash-writer-" + w);
        t.start();
        writers.add(t);
      }
      // Let the writers through their first acknowledgement (the child JVM is cold), then kill
      // at a random moment: with three writers posting back to back, mostly mid-commit.
      int before = acknowledged.size();
      long firstAck = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (acknowledged.size() == before && System.nanoTime() < firstAck) {
        Thread.sleep(5);
      }
      Thread.sleep(random.nextInt(400));
      boolean writing = inFlight.get() > 0;
      server.destroyForcibly(); // SIGKILL on Linux
      server.waitFor();
      if (writing) {
        killsDuringWrites++;
      }
      stop.set(true);
      for (Thread t : writers) {
        t.join();
      }
      attempted += posts.get();
      verify(index, cycle);
    }
    long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
    System.out.printf(
        "crash harness: %d/%d cycles, %d kills while requests were being written, %d batches"
            + " posted, %d documents acknowledged, 0 lost, 0 duplicated, CheckIndex clean after"
            + " every kill (%d s)%n",
        CYCLES, CYCLES, killsDuringWrites, attempted, acknowledged.size(), seconds);
    assertThat(acknowledged).as("writers must get acknowledgements").isNotEmpty();
    assertThat(killsDuringWrites)
        .as("most kills must land while requests are being written")
        .isGreaterThan(CYCLES / 2);
  }

  private Process start(Path index, int cycle) throws IOException {
    Path portFile = tmp.resolve("port");
    Files.deleteIfExists(portFile);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            CrashServerMain.class.getName(),
            index.toString(),
            portFile.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(
        ProcessBuilder.Redirect.appendTo(tmp.resolve("server-" + cycle + ".log").toFile()));
    return pb.start();
  }

  private int awaitPort(Process server, int cycle) throws Exception {
    Path portFile = tmp.resolve("port");
    long deadline =
        System.nanoTime()
            + Duration.ofSeconds(180).toNanos(); // generous: CI shares 2 cores with a cluster
    while (!Files.exists(portFile)) {
      if (!server.isAlive()) {
        throw new AssertionError(
            "cycle "
                + cycle
                + ": the server exited with "
                + server.exitValue()
                + " at start:\n"
                + Files.readString(tmp.resolve("server-" + cycle + ".log")));
      }
      if (System.nanoTime() > deadline) {
        server.destroyForcibly();
        throw new AssertionError("cycle " + cycle + ": the server did not start within 180 s");
      }
      Thread.sleep(20);
    }
    return Integer.parseInt(Files.readString(portFile).trim());
  }

  /** Posts batches of new documents until told to stop; logs each id only after a 2xx. */
  private void write(
      int port,
      int cycle,
      int writer,
      AtomicBoolean stop,
      AtomicInteger inFlight,
      AtomicInteger posts,
      Path ackLog) {
    Random random = new Random(cycle * 100L + writer);
    int seq = 0;
    while (!stop.get()) {
      Map<String, String> batch = new HashMap<>();
      StringBuilder body = new StringBuilder("{\"documents\":[");
      for (int i = 0; i < BATCH; i++, seq++) {
        String id = "c" + cycle + "-w" + writer + "-" + seq;
        String text = "document " + id + " words " + Long.toHexString(random.nextLong());
        batch.put(id, sha256(text));
        body.append(i == 0 ? "" : ",")
            .append("{\"id\":\"")
            .append(id)
            .append("\",\"text\":\"")
            .append(text)
            .append("\"}");
      }
      body.append("]}");
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/documents"))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
              .build();
      inFlight.incrementAndGet();
      posts.incrementAndGet();
      int status;
      try {
        status = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
      } catch (IOException e) {
        return; // the server is gone: this batch was not acknowledged
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        inFlight.decrementAndGet();
      }
      if (status / 100 != 2) {
        throw new AssertionError("ingestion answered " + status + " before any kill");
      }
      StringBuilder log = new StringBuilder();
      batch.forEach(
          (id, hash) -> {
            acknowledged.put(id, hash);
            log.append(id).append(' ').append(hash).append('\n');
          });
      appendLog(ackLog, log.toString());
    }
  }

  private static synchronized void appendLog(Path log, String lines) {
    try {
      Files.writeString(
          log, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** On a copy of the killed server's index: CheckIndex, every acknowledged id, no duplicates. */
  private void verify(Path index, int cycle) throws IOException {
    Path copy = tmp.resolve("copy-" + cycle);
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(index)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    IndexIntegrity.Report check = IndexIntegrity.check(copy);
    assertThat(check.clean())
        .as("cycle %d: CheckIndex on a copy: %s", cycle, check.lines())
        .isTrue();

    Map<String, Integer> seen = new HashMap<>();
    try (FSDirectory dir = FSDirectory.open(copy);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      for (LeafReaderContext leaf : reader.leaves()) {
        Bits live = leaf.reader().getLiveDocs();
        // index format 2 keeps the id as a binary doc value (and an indexed term), not stored
        BinaryDocValues ids = DocValues.getBinary(leaf.reader(), "id");
        for (int d = 0; d < leaf.reader().maxDoc(); d++) {
          if (live == null || live.get(d)) {
            assertThat(ids.advanceExact(d)).as("document %d has an id", d).isTrue();
            seen.merge(ids.binaryValue().utf8ToString(), 1, Integer::sum);
          }
        }
      }
    }
    List<String> duplicated =
        seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    assertThat(duplicated).as("cycle %d: ids stored more than once", cycle).isEmpty();

    try (WinnowIndex reopened = WinnowIndex.openExisting(copy)) {
      for (Map.Entry<String, String> e : acknowledged.entrySet()) {
        Document d =
            reopened
                .get(e.getKey())
                .orElseThrow(
                    () ->
                        new AssertionError(
                            "cycle " + cycle + ": acknowledged " + e.getKey() + " is lost"));
        assertThat(sha256(d.text())).as("content of %s", e.getKey()).isEqualTo(e.getValue());
      }
    }
    deleteTree(copy);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
