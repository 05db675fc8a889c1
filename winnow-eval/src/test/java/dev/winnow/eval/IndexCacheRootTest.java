package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where evaluation indexes are cached: per user, never a directory every user shares. */
class IndexCacheRootTest {

  @Test
  void cacheHome_followsXdgThenHome() {
    assertThat(IndexCache.cacheHome(null, "/xdg", "/home/ann")).isEqualTo(Path.of("/xdg/winnow"));
    assertThat(IndexCache.cacheHome(null, null, "/home/ann"))
        .isEqualTo(Path.of("/home/ann/.cache/winnow"));
  }

  @Test
  void cacheHome_relativeOrEmptyXdg_isIgnored() {
    assertThat(IndexCache.cacheHome(null, "rel/dir", "/home/ann"))
        .isEqualTo(Path.of("/home/ann/.cache/winnow"));
    assertThat(IndexCache.cacheHome(null, " ", "/home/ann"))
        .isEqualTo(Path.of("/home/ann/.cache/winnow"));
  }

  @Test
  void cacheHome_systemPropertyWins() {
    assertThat(IndexCache.cacheHome("/opt/c", "/xdg", "/home/ann")).isEqualTo(Path.of("/opt/c"));
  }

  @Test
  void defaultRoot_isUnderTheUsersCache_notTmp() {
    String configured = System.getProperty("winnow.cache");
    if (configured == null) {
      assertThat(IndexCache.defaultRoot().toString())
          .doesNotContain(System.getProperty("java.io.tmpdir") + "/winnow-cache")
          .endsWith("winnow/indexes");
    } else {
      assertThat(IndexCache.defaultRoot()).isEqualTo(Path.of(configured, "indexes"));
    }
  }
}
