package dev.winnow.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every regression file in the repository loads and names a pipeline that can be built. */
class RegressionFilesTest {

  @Test
  void everyRegressionFile_loadsAndNamesABuildablePipeline() throws IOException {
    Path dir = Path.of("").toAbsolutePath().getParent().resolve("regressions");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(5);
    for (Path f : files) {
      Regression r = Regression.load(f);
      Pipelines.check(r.pipeline());
      assertThat(r.expectations()).as(f.toString()).isNotEmpty();
    }
  }
}
