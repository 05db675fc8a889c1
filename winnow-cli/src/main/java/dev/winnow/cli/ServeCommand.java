package dev.winnow.cli;

import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxCrossEncoder;
import dev.winnow.server.ByteSize;
import dev.winnow.server.Durations;
import dev.winnow.server.ServerConfig;
import dev.winnow.server.WinnowServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow serve}: the rerank HTTP server (Cohere v2 and v1, Jina, TEI) over one
 * cross-encoder. Stops gracefully on SIGTERM or SIGINT: readiness off, new requests refused with
 * 503, requests in flight drained up to {@code --drain}, exit status 0.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a cross-encoder over HTTP: POST /v2/rerank (Cohere v2), /v1/rerank (Cohere v1 and"
          + " Jina), /rerank (TEI); GET /health, /ready, /info, /metrics, /openapi.json; with"
          + " --index also search and ingestion under /v1.",
      "Binds 127.0.0.1 unless --host says otherwise."
    })
final class ServeCommand implements Callable<Integer> {

  @Option(
      names = {"--model", "--model-id"},
      defaultValue = "cross-encoder/ms-marco-MiniLM-L6-v2",
      description =
          "Model folder, or hub id ORG/NAME[@REV] (see `winnow models pull`). Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(
      names = "--variant",
      defaultValue = ModelFolder.DEFAULT_VARIANT,
      description =
          "ONNX variant: default (onnx/model.onnx), qint8, ... Default: ${DEFAULT-VALUE}.")
  String variant;

  @Option(
      names = "--index",
      description =
          "Index directory (created when absent): also serve POST /v1/search, POST /v1/documents"
              + " and GET/DELETE /v1/documents/{id}.")
  Optional<Path> index;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--api-key-file",
      description =
          "File whose content (trimmed) is the API key clients send as 'Authorization: Bearer <key>'.")
  Path apiKeyFile;

  @Option(
      names = "--protect-ops",
      description =
          "With a key, also require it on /health, /ready and /metrics (public by default).")
  boolean protectOps;

  @Option(
      names = "--max-docs",
      defaultValue = "1000",
      description = "Most documents per request (more: 422). Default: ${DEFAULT-VALUE}.")
  int maxDocs;

  @Option(
      names = "--max-body",
      defaultValue = "8MB",
      description = "Largest request body (more: 413). Default: ${DEFAULT-VALUE}.")
  String maxBody;

  @Option(
      names = "--queue",
      defaultValue = "1024",
      description =
          "Most pairs waiting for the model (more: 429 + Retry-After). Size it to throughput x acceptable wait. Default: ${DEFAULT-VALUE}.")
  int queue;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      description = "Deadline of one request (past it: 503). Default: ${DEFAULT-VALUE}.")
  String timeout;

  @Option(
      names = "--batch-tokens",
      defaultValue = "8192",
      description = "Most padded tokens per model call. Default: ${DEFAULT-VALUE}.")
  int batchTokens;

  @Option(
      names = "--batch-pairs",
      defaultValue = "64",
      description = "Most pairs per model call. Default: ${DEFAULT-VALUE}.")
  int batchPairs;

  @Option(
      names = "--threads",
      description = "ONNX Runtime intra-op threads. Default: all processors.")
  Optional<Integer> threads;

  @Option(
      names = "--drain",
      defaultValue = "20s",
      description = "How long shutdown waits for requests in flight. Default: ${DEFAULT-VALUE}.")
  String drain;

  @Spec CommandSpec spec;

  /** The server configuration these options describe; bad values name the option. */
  ServerConfig config() {
    Optional<String> key = Optional.empty();
    if (apiKeyFile != null) {
      try {
        String k = Files.readString(apiKeyFile, StandardCharsets.UTF_8).trim();
        if (k.isEmpty()) {
          throw new IllegalArgumentException("--api-key-file " + apiKeyFile + " is empty");
        }
        key = Optional.of(k);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--api-key-file " + apiKeyFile + " cannot be read: " + e.getMessage(), e);
      }
    }
    if (protectOps && key.isEmpty()) {
      throw new IllegalArgumentException("--protect-ops needs --api-key-file");
    }
    return ServerConfig.DEFAULTS
        .withHost(host)
        .withPort(port)
        .withLimits(maxDocs, ByteSize.parse("--max-body", maxBody), queue)
        .withRequestTimeout(Durations.parse("--timeout", timeout))
        .withBatching(batchTokens, batchPairs, 1)
        .withApiKey(key, protectOps)
        .withDrainTimeout(Durations.parse("--drain", drain));
  }

  @Override
  public Integer call() throws InterruptedException {
    ServerConfig config = config();
    PrintWriter err = spec.commandLine().getErr();
    // The index first: an unwritable directory fails in milliseconds, before a model loads.
    Optional<WinnowIndex> corpus = index.map(WinnowIndex::open);
    OnnxCrossEncoder encoder = null;
    WinnowServer server;
    try {
      ModelFolder folder = Fixtures.announce(RerankCommand.resolveModel(model, variant), err);
      OnnxCrossEncoder.Options options =
          OnnxCrossEncoder.Options.defaults()
              .withTokenBudget(Math.max(16, config.batchTokenBudget()));
      if (threads.isPresent()) {
        options = options.withThreads(threads.get());
      }
      encoder = OnnxCrossEncoder.open(folder, options);
      server = new WinnowServer(encoder, config, corpus).start();
    } catch (RuntimeException e) {
      corpus.ifPresent(WinnowIndex::close);
      if (encoder != null) {
        encoder.close();
      }
      throw e;
    }
    OnnxCrossEncoder loaded = encoder;
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                if (server.shutdown(config.drainTimeout())) {
                  corpus.ifPresent(WinnowIndex::close);
                  loaded.close();
                } else {
                  // A request outlived the drain: its worker may still be inside ONNX Runtime, and
                  // closing the session under it crashes the JVM (SIGSEGV). The exit frees both.
                  err.println("winnow: drain timed out; exiting without closing the model in use");
                  err.flush();
                }
              } finally {
                stopped.countDown();
              }
            },
            "winnow-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Signals.exitZeroOn("TERM", "INT");
    err.println(
        "winnow: serving "
            + loaded.name()
            + " on "
            + server.baseUrl()
            + " (auth: "
            + (config.apiKey().isPresent() ? "bearer key" : "none")
            + "); SIGTERM drains and exits");
    err.flush();
    stopped.await();
    return 0;
  }

  /** Duration of the drain, for tests. */
  Duration drainTimeout() {
    return Durations.parse("--drain", drain);
  }
}
