package dev.winnow.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint that does not fit on the disk fails with one line and leaves the previous checkpoint
 * whole, on a real full file system (a 1 MiB tmpfs). Needs root to mount; skipped otherwise.
 */
class CheckpointDiskFullIT {

  @TempDir Path tmp;
  private Path mount;
  private boolean mounted;

  @BeforeEach
  void mountTmpfs() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "CheckpointDiskFullIT needs root to mount a tmpfs; skipped");
    mount = Files.createDirectories(tmp.resolve("tmpfs"));
    int rc = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString());
    assumeTrue(rc == 0, "cannot mount a tmpfs here (mount exited " + rc + "); skipped");
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      assertThat(run("umount", mount.toString())).isZero();
    }
  }

  @Test
  void write_diskFull_previousCheckpointIntact() {
    Path dir = mount.resolve("checkpoint");
    Checkpoint.write(
        dir, Map.of("weights.bin", Map.of("w", new float[] {1, 2, 3})), "{\"epoch\":1}");
    float[] big = new float[512 * 1024]; // 2 MiB: more than the disk holds
    assertThatThrownBy(
            () -> Checkpoint.write(dir, Map.of("weights.bin", Map.of("w", big)), "{\"epoch\":2}"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("the previous one is kept");
    assertThat(Checkpoint.readState(dir)).isEqualTo("{\"epoch\":1}");
    assertThat(Checkpoint.readArrays(dir.resolve("weights.bin")).get("w")).containsExactly(1, 2, 3);
    assertThat(mount.resolve("checkpoint.writing")).doesNotExist();
  }

  private static int run(String... command) throws Exception {
    return new ProcessBuilder(command).inheritIO().start().waitFor();
  }
}
