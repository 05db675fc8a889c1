package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelsCommandTest {

  private static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(CommandLine cl, String... args) {
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  /** The pull command over an explicit environment, with Winnow's error handling. */
  private CommandLine pull(Map<String, String> env, Path home) {
    CommandLine cl = new CommandLine(new ModelsCommand.Pull(env, home));
    cl.setExecutionExceptionHandler(Winnow.commandLine().getExecutionExceptionHandler());
    return cl;
  }

  @Test
  void pull_badId_exits2NamingTheValue() {
    int code = run(Winnow.commandLine(), "models", "pull", "../../etc/passwd");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("winnow: model id '../../etc/passwd'")
        .contains("ORG/NAME[@REVISION]");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void pull_url_exits2() {
    int code = run(Winnow.commandLine(), "models", "pull", "https://example.com/org/model");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("is a URL");
  }

  @Test
  void pull_offlineWithoutCache_exits1WithClearMessage(@TempDir Path home) {
    int code = run(pull(Map.of("HF_HUB_OFFLINE", "1"), home), "org/model");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .contains("HF_HUB_OFFLINE is set and org/model@main")
        .contains(home.resolve(".cache/huggingface/hub/models--org--model").toString());
  }

  @Test
  void pull_offlineFromCache_printsSnapshotPath(@TempDir Path cache) throws Exception {
    Path repo = cache.resolve("models--org--model");
    Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(COMMIT));
    Files.writeString(snapshot.resolve("config.json"), "{}");
    Files.writeString(snapshot.resolve("tokenizer.json"), "{}");
    Files.createDirectories(snapshot.resolve("onnx"));
    Files.write(snapshot.resolve("onnx/model_qint8.onnx"), new byte[] {8, 7}); // ir_version 7
    Files.createDirectories(repo.resolve("refs"));
    Files.writeString(repo.resolve("refs/main"), COMMIT);

    Map<String, String> env = Map.of("HF_HUB_OFFLINE", "1", "HF_HUB_CACHE", cache.toString());
    int code = run(pull(env, cache), "org/model", "--variant", "qint8");
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString().strip()).isEqualTo(snapshot.toString());
    assertThat(err.toString()).contains("0 downloaded");

    StringWriter none = new StringWriter();
    CommandLine missing = pull(env, cache);
    missing.setErr(new PrintWriter(none, true));
    assertThat(missing.execute("org/model")).isEqualTo(1);
    assertThat(none.toString()).contains("lacks onnx/model.onnx");
  }

  @Test
  void models_isRegisteredInWinnow() {
    assertThat(Winnow.commandLine().getSubcommands()).containsKey("models");
    assertThat(Winnow.commandLine().getSubcommands().get("models").getSubcommands())
        .containsKeys("pull", "list", "rm", "quantize");
  }

  /** A snapshot of org/NAME at {@code commit} with refs/main pointing at it, files linked. */
  private static Path cached(Path cache, String name, String commit, String config)
      throws Exception {
    Path repo = cache.resolve("models--org--" + name);
    Path blobs = Files.createDirectories(repo.resolve("blobs"));
    Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(commit));
    Files.writeString(blobs.resolve("cfg-" + commit), config);
    Files.write(blobs.resolve("onnx-" + commit), new byte[1_500_000]);
    Files.createSymbolicLink(snapshot.resolve("config.json"), Path.of("../../blobs/cfg-" + commit));
    Files.createDirectories(snapshot.resolve("onnx"));
    Files.createSymbolicLink(
        snapshot.resolve("onnx/model.onnx"), Path.of("../../../blobs/onnx-" + commit));
    Files.createDirectories(repo.resolve("refs"));
    Files.writeString(repo.resolve("refs/main"), commit);
    return repo;
  }

  private CommandLine models(Object command) {
    CommandLine cl = new CommandLine(command);
    cl.setExecutionExceptionHandler(Winnow.commandLine().getExecutionExceptionHandler());
    return cl;
  }

  @Test
  void list_showsIdRevisionSizeAndKind(@TempDir Path cache) throws Exception {
    cached(cache, "reranker", COMMIT, "{\"architectures\": [\"BertForSequenceClassification\"]}");
    cached(cache, "embedder", COMMIT.replace('8', '7'), "{\"architectures\": [\"BertModel\"]}");
    Map<String, String> env = Map.of("HF_HUB_CACHE", cache.toString());

    int code = run(models(new ModelsCommand.ListCached(env, cache)));

    assertThat(code).as(err.toString()).isZero();
    String[] lines = out.toString().split("\\R");
    assertThat(lines[0]).startsWith("ID").contains("REVISION", "SIZE", "KIND");
    assertThat(lines[1])
        .startsWith("org/embedder")
        .contains("main", "1.5 MB", "bi-encoder", "onnx/model.onnx");
    assertThat(lines[2])
        .startsWith("org/reranker")
        .contains("main", "89abcdef0123", "cross-encoder");
  }

  @Test
  void list_emptyCache_saysSo(@TempDir Path cache) {
    Map<String, String> env = Map.of("HF_HUB_CACHE", cache.resolve("none").toString());
    assertThat(run(models(new ModelsCommand.ListCached(env, cache)))).isZero();
    assertThat(err.toString()).contains("no models in the hub cache");
    assertThat(out.toString()).contains("winnow/minilm-l6-scifact-ce  (bundled in this jar)");
  }

  @Test
  void rm_removesTheModelWithoutAsking(@TempDir Path cache) throws Exception {
    Path repo = cached(cache, "reranker", COMMIT, "{}");
    Path other = cached(cache, "kept", COMMIT, "{}");
    Map<String, String> env = Map.of("HF_HUB_CACHE", cache.toString());

    int code = run(models(new ModelsCommand.Remove(env, cache)), "org/reranker");

    assertThat(code).as(err.toString()).isZero();
    assertThat(repo).doesNotExist();
    assertThat(other).isDirectory();
    assertThat(cache.toFile().list()).containsExactly("models--org--kept");
  }

  @Test
  void rm_revision_removesThatSnapshotAndItsBlobsOnly(@TempDir Path cache) throws Exception {
    Path repo = cached(cache, "reranker", COMMIT, "{}");
    String older = COMMIT.replace('8', '1');
    cached(cache, "reranker", older, "{}");
    Files.writeString(repo.resolve("refs/main"), COMMIT);
    Files.writeString(repo.resolve("refs/v1"), older);
    Map<String, String> env = Map.of("HF_HUB_CACHE", cache.toString());

    int code = run(models(new ModelsCommand.Remove(env, cache)), "org/reranker@v1");

    assertThat(code).as(err.toString()).isZero();
    assertThat(repo.resolve("snapshots").toFile().list()).containsExactly(COMMIT);
    assertThat(repo.resolve("refs").toFile().list()).containsExactly("main");
    assertThat(repo.resolve("blobs").toFile().list())
        .containsExactlyInAnyOrder("cfg-" + COMMIT, "onnx-" + COMMIT);
  }

  @Test
  void rm_notCached_refusedNamingTheIdAndCache(@TempDir Path cache) throws Exception {
    cached(cache, "reranker", COMMIT, "{}");
    Map<String, String> env = Map.of("HF_HUB_CACHE", cache.toString());

    int code = run(models(new ModelsCommand.Remove(env, cache)), "org/other");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip())
        .isEqualTo(
            "winnow: model org/other is not in the hub cache "
                + cache
                + "; `winnow models list` shows what is");
    assertThat(run(models(new ModelsCommand.Remove(env, cache)), "org/reranker@v9")).isEqualTo(2);
    assertThat(err.toString()).contains("no snapshot for revision 'v9'");
  }

  @Test
  void quantize_badInput_oneLineErrors(@TempDir Path tmp) throws Exception {
    Path notAFolder = Files.writeString(tmp.resolve("model.txt"), "x");
    assertThat(
            run(
                Winnow.commandLine(),
                "models",
                "quantize",
                notAFolder.toString(),
                "--out",
                tmp.resolve("o").toString()))
        .isEqualTo(2);
    assertThat(err.toString().strip())
        .isEqualTo("winnow: model folder " + notAFolder + " does not exist or is not a directory");
    assertThat(tmp.resolve("o")).doesNotExist();
  }

  @Test
  void quantize_tinyFixture_printsTheNewFolder(@TempDir Path tmp) {
    Path out = tmp.resolve("tiny-int8");
    int code =
        run(
            Winnow.commandLine(),
            "models",
            "quantize",
            dev.winnow.testkit.Shared.tinyFixture().toString(),
            "--out",
            out.toString());
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo(this.out.toString().strip());
    assertThat(err.toString()).contains("MatMul as int8");
    assertThat(out.resolve("onnx/model.onnx")).isRegularFile();
  }
}
