package dev.winnow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The harness's end of one worker process ({@link Worker} or {@code bench/node/worker.mjs}): sends
 * one JSON request line, reads one answer line. The worker's stderr goes to a log file, quoted in
 * errors. Not thread-safe.
 */
final class WorkerProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final Process process;
  private final BufferedWriter in;
  private final BufferedReader out;
  private final Path log;

  private WorkerProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.in =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts {@code command} and waits for its {@code {"ready":true}} line. */
  static WorkerProcess start(String name, List<String> command, Path log) {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      if (name.startsWith(Adapters.NO_FLASH)) {
        builder.environment().put("ORT_DISABLE_FLASH_ATTENTION", "1");
      }
      Process p = builder.start();
      WorkerProcess w = new WorkerProcess(name, p, log);
      JsonNode ready = w.read();
      if (!ready.path("ready").asBoolean(false)) {
        throw w.failure("did not start: " + ready);
      }
      return w;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start worker " + name + ": " + command, e);
    }
  }

  String name() {
    return name;
  }

  /** The worker's peak RSS so far, read from outside (it may die before it can answer). */
  long peakRssKb() {
    try {
      for (String line :
          Files.readAllLines(
              Path.of("/proc/" + process.pid() + "/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  ObjectNode request(String op) {
    return JSON.createObjectNode().put("op", op);
  }

  JsonNode call(ObjectNode request) {
    try {
      in.write(JSON.writeValueAsString(request));
      in.write('\n');
      in.flush();
      JsonNode answer = read();
      if (answer.has("error")) {
        throw failure("answered an error: " + answer.get("error").asText());
      }
      return answer;
    } catch (IOException e) {
      throw failure("lost its pipe: " + e);
    }
  }

  private JsonNode read() throws IOException {
    String line = out.readLine();
    if (line == null) {
      throw failure("exited (code " + exitCode() + ")");
    }
    return JSON.readTree(line);
  }

  private String exitCode() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "alive";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private IllegalStateException failure(String what) {
    String tail;
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      tail = "(no log: " + e + ")";
    }
    return new IllegalStateException("worker " + name + " " + what + "; log " + log + ":\n" + tail);
  }

  @Override
  public void close() {
    try {
      in.write("{\"op\":\"quit\"}\n");
      in.flush();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
