package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.index.WinnowIndex;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14, item 7: one writer per index directory, claimed when the server starts. */
class IndexClaimTest {

  @TempDir Path dir;

  @Test
  void secondServerOnOneIndex_refusesToStart_namingTheHolder() {
    try (WinnowIndex first = WinnowIndex.open(dir);
        WinnowIndex second = WinnowIndex.open(dir);
        WinnowServer a =
            new WinnowServer(
                    new FakeCrossEncoder(), ServerConfig.DEFAULTS.withPort(0), Optional.of(first))
                .start()) {
      WinnowServer b =
          new WinnowServer(
              new FakeCrossEncoder(), ServerConfig.DEFAULTS.withPort(0), Optional.of(second));
      assertThatThrownBy(b::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(
              "is already being written by winnow serve (pid " + ProcessHandle.current().pid())
          .hasMessageContaining("write.lock");
      // the first keeps writing, also after a request that rolled back
      Http.Reply bad =
          Http.post(
              a.baseUrl() + "/v1/documents",
              "{\"documents\":[{\"id\":\"x\",\"text\":\"t\"},{\"id\":\"..\",\"text\":\"t\"}]}");
      assertThat(bad.status()).isEqualTo(422);
      Http.Reply ok =
          Http.post(
              a.baseUrl() + "/v1/documents", "{\"documents\":[{\"id\":\"x\",\"text\":\"t\"}]}");
      assertThat(ok.status()).as(ok.body()).isEqualTo(200);
      assertThatThrownBy(() -> second.claimWrites("another"))
          .hasMessageContaining("winnow serve (pid");
    }
  }
}
