package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

  private static ServeCommand parse(String... args) {
    ServeCommand c = new ServeCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void config_defaultsBindLoopbackWithDocumentedLimits() {
    ServerConfig c = parse().config();
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.maxDocuments()).isEqualTo(1000);
    assertThat(c.maxBodyBytes()).isEqualTo(8L * 1024 * 1024);
    assertThat(c.maxQueuedPairs()).isEqualTo(1024);
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.apiKey()).isEmpty();
  }

  @Test
  void config_readsTheKeyFileTrimmed_andNeverPrintsIt(@TempDir Path dir) throws IOException {
    Path key = dir.resolve("key");
    Files.writeString(key, "  s3cret\n");
    ServerConfig c =
        parse(
                "--api-key-file",
                key.toString(),
                "--max-body",
                "512KB",
                "--queue",
                "64",
                "--timeout",
                "500ms")
            .config();
    assertThat(c.apiKey()).contains("s3cret");
    assertThat(c.toString()).doesNotContain("s3cret");
    assertThat(c.maxBodyBytes()).isEqualTo(512 * 1024);
    assertThat(c.maxQueuedPairs()).isEqualTo(64);
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void config_badValuesNameTheOption(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> parse("--max-body", "lots").config())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--max-body")
        .hasMessageContaining("lots");
    assertThatThrownBy(() -> parse("--timeout", "soon").config()).hasMessageContaining("--timeout");
    assertThatThrownBy(() -> parse("--port", "70000").config()).hasMessageContaining("port");
    assertThatThrownBy(() -> parse("--protect-ops").config())
        .hasMessageContaining("--api-key-file");
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "\n");
    assertThatThrownBy(() -> parse("--api-key-file", empty.toString()).config())
        .hasMessageContaining("is empty");
  }
}
