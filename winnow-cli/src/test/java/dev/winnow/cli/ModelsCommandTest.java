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
        .containsKey("pull");
  }
}
