package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.winnow.index.IndexIntegrity;
import dev.winnow.index.WinnowIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the index lives on a 2 MiB tmpfs. Ingestion answers 507 once the device is
 * full, every acknowledged document stays readable, and writing resumes once space is freed (a
 * ballast file deleted). Needs root to mount; skipped with a message otherwise.
 */
class DiskFullIT {

  @TempDir Path tmp;
  private Path mount;
  private boolean mounted;
  private WinnowIndex index;
  private WinnowServer server;
  private final List<String> acknowledged = new ArrayList<>();
  private int next;

  @BeforeEach
  void mountTmpfs() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "DiskFullIT needs root to mount a tmpfs; skipped (running as "
            + System.getProperty("user.name")
            + ")");
    mount = Files.createDirectories(tmp.resolve("tmpfs"));
    int rc = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString());
    assumeTrue(rc == 0, "cannot mount a tmpfs here (mount exited " + rc + "); skipped");
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (server != null) {
      server.shutdown(Duration.ofSeconds(2));
    }
    if (index != null) {
      index.close();
    }
    if (mounted) {
      assertThat(run("umount", mount.toString())).isZero();
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private final java.util.Random random = new java.util.Random(7);

  /** Incompressible text: stored fields and the terms dictionary grow with every batch. */
  private String randomWords(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36)).append(' ');
    }
    return sb.toString();
  }

  private Http.Reply postBatch() {
    StringBuilder b = new StringBuilder("{\"documents\":[");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++, next++) {
      ids.add("d" + next);
      b.append(i == 0 ? "" : ",")
          .append("{\"id\":\"d")
          .append(next)
          .append("\",\"text\":\"")
          .append(randomWords(150))
          .append("\"}");
    }
    Http.Reply r = Http.post(server.baseUrl() + "/v1/documents", b.append("]}").toString());
    if (r.status() == 200) {
      acknowledged.addAll(ids);
    }
    return r;
  }

  @Test
  void tmpfsFull_answers507_losesNothing_resumesWhenSpaceIsFreed() throws Exception {
    Path ballast = mount.resolve("ballast");
    Files.write(ballast, new byte[512 * 1024]);
    index = WinnowIndex.open(mount.resolve("index"));
    server =
        new WinnowServer(
                new FakeCrossEncoder(), ServerConfig.DEFAULTS.withPort(0), Optional.of(index))
            .start();

    Http.Reply full = null;
    for (int i = 0; i < 200 && full == null; i++) {
      Http.Reply r = postBatch();
      if (r.status() != 200) {
        full = r;
      }
    }
    assertThat(full).as("2 MiB must fill up").isNotNull();
    assertThat(full.status()).as(full.body()).isEqualTo(507);
    assertThat(acknowledged).isNotEmpty();
    assertThat(Http.get(server.baseUrl() + "/ready").json().at("/index/writes").asText())
        .isEqualTo("disk_full");
    for (String id : acknowledged) {
      assertThat(Http.get(server.baseUrl() + "/v1/documents/" + id).status()).as(id).isEqualTo(200);
    }
    int before = acknowledged.size();

    Files.delete(ballast);
    Http.Reply resumed = postBatch();
    assertThat(resumed.status()).as(resumed.body()).isEqualTo(200);
    assertThat(Http.get(server.baseUrl() + "/ready").json().get("status").asText())
        .isEqualTo("ready");
    for (String id : acknowledged) {
      assertThat(Http.get(server.baseUrl() + "/v1/documents/" + id).status()).as(id).isEqualTo(200);
    }
    server.shutdown(Duration.ofSeconds(2));
    server = null;
    index.close();
    index = null;
    assertThat(IndexIntegrity.check(mount.resolve("index")).clean()).isTrue();
    System.out.printf(
        "tmpfs 2 MiB: %d documents acknowledged before 507, 0 lost, writing resumed after freeing"
            + " 512 KiB%n",
        before);
  }
}
