package dev.winnow.cli;

import dev.winnow.api.Encoder;
import dev.winnow.index.IngestResult;
import dev.winnow.index.WinnowIndex;
import dev.winnow.pipeline.Encoders;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code winnow index}: ingests a JSON Lines corpus into an index directory and commits. */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description = {
      "Index a JSON Lines corpus, or a directory of them, for BM25 (and dense retrieval with"
          + " --embedder).",
      "Lines are BEIR's {\"_id\",\"title\"?,\"text\",\"metadata\"?} or Anserini's"
          + " {\"id\",\"contents\"}; a directory's .jsonl/.json(.gz) files are read in name"
          + " order. Writes to an index directory or, with --backend opensearch, an OpenSearch"
          + " index, and reports success only after the commit (refresh + flush) that makes it"
          + " durable. A malformed line aborts the run and leaves the index as it was. A repeated"
          + " id replaces the earlier document.",
      "Subcommands check and repair an existing index."
    },
    subcommands = {IndexCheckCommand.class, IndexRepairCommand.class})
public final class IndexCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--corpus",
      paramLabel = "PATH",
      description = "corpus file (.jsonl, .jsonl.gz) or a directory of them")
  Path corpus;

  @Option(
      names = "--index",
      paramLabel = "DIR",
      description = "index directory (created when absent or empty); with --backend embedded")
  Path index;

  @Option(
      names = "--embedder",
      paramLabel = "NAME",
      description =
          "also store vectors of this bi-encoder for dense retrieval: bge-small, minilm or none"
              + " (default: none)")
  String embedder;

  @Mixin BackendOptions backend = new BackendOptions();

  @Option(
      names = "--batch",
      defaultValue = "1000",
      paramLabel = "N",
      description = "documents per batch (default: ${DEFAULT-VALUE})")
  int batch;

  @Override
  public Integer call() {
    // Not picocli-required: required options here would also be demanded of 'index check DIR'.
    if (corpus == null) {
      throw new IllegalArgumentException(
          "index needs --corpus PATH (or a subcommand: check DIR, repair DIR)");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (backend.isOpenSearch()) {
      return OpenSearchCommands.index(backend.openSearchConfig(), corpus, embedder, batch, out);
    }
    if (index == null) {
      throw new IllegalArgumentException(
          "--index DIR is required with --backend embedded (or use --backend opensearch)");
    }
    boolean createdNow = !Files.exists(index) || isEmptyDirectory(index);
    IngestResult r;
    Optional<Encoder> encoder =
        Optional.ofNullable(embedder).filter(e -> !e.equalsIgnoreCase("none")).map(Encoders::open);
    try {
      try (WinnowIndex idx = WinnowIndex.open(index);
          Progress progress = Progress.start("indexing", Lines.count(corpus))) {
        r = idx.ingest(corpus, encoder, batch, progress::update);
      }
    } catch (RuntimeException e) {
      if (createdNow) {
        deleteCreated(index, e); // nothing was committed: leave no empty index behind either
      }
      throw e;
    } finally {
      encoder.ifPresent(Encoder::close);
    }
    out.printf(
        Locale.ROOT,
        "indexed %d documents from %s into %s in %.2f s (%.0f docs/s); committed, the index holds"
            + " %d documents%n",
        r.documentsRead(),
        corpus,
        index,
        r.elapsed().toNanos() / 1e9,
        r.documentsPerSecond(),
        r.documentsInIndex());
    out.flush();
    return 0;
  }

  private static boolean isEmptyDirectory(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteCreated(Path dir, RuntimeException failure) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }
}
