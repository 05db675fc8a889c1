package dev.winnow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirstStageTest {

  @Test
  void latencyRun_percentilesAndMeanInMilliseconds() {
    // 1..100 ms, shuffled: nearest-rank p50 = 50, p95 = 95, p99 = 99, mean 50.5.
    long[] nanos = new long[100];
    for (int i = 0; i < 100; i++) {
      nanos[i] = (long) (((i * 37) % 100) + 1) * 1_000_000L;
    }
    FirstStageResults.LatencyRun r =
        FirstStageResults.LatencyRun.of("BM25", "retrieve", 10, nanos, 0.5);
    assertThat(r.queries()).isEqualTo(100);
    assertThat(r.p50Ms()).isEqualTo(50.0);
    assertThat(r.p95Ms()).isEqualTo(95.0);
    assertThat(r.p99Ms()).isEqualTo(99.0);
    assertThat(r.meanMs()).isEqualTo(50.5);
  }

  @Test
  void results_failWhenACheckMissesAndSayWhich(@TempDir Path dir) throws Exception {
    FirstStageResults ok = new FirstStageResults();
    ok.checks.add(new FirstStageResults.Check("BM25 k=10", "ndcg@10", 0.6789, 0.003, 0.6790, "x"));
    assertThat(ok.ok()).isTrue();

    FirstStageResults bad = new FirstStageResults();
    bad.checks.add(new FirstStageResults.Check("BM25 k=10", "ndcg@10", 0.6789, 0.003, 0.60, "x"));
    assertThat(bad.ok()).isFalse();
    assertThat(bad.markdown())
        .contains("| BM25 k=10 | ndcg@10 | 0.6789 ± 0.0030 | 0.6000 | **NO**");

    bad.write(dir);
    assertThat(Files.readString(dir.resolve("results.json"))).contains("\"ok\" : false");
    assertThat(dir.resolve("results.md")).exists();
  }

  @Test
  void results_failOnARecordedFailureEvenWithoutChecks() {
    FirstStageResults r = new FirstStageResults();
    r.failures.add("rankings differ");
    assertThat(r.ok()).isFalse();
    assertThat(r.markdown()).contains("**FAILED:** rankings differ");
  }

  @Test
  void options_defaultsAndValidation() {
    FirstStage.Options o = FirstStage.Options.parse(new String[] {"--docs", "500"});
    assertThat(o.docs()).isEqualTo(500);
    assertThat(o.bm25Runs()).isEqualTo(3);
    assertThat(o.warmup()).isEqualTo(2);
    assertThat(o.fusionDocs()).isEqualTo(1000);
    assertThatThrownBy(() -> FirstStage.Options.parse(new String[] {"--batch", "0"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch must be >= 1, got 0");
    assertThatThrownBy(() -> FirstStage.Options.parse(new String[] {"--docs", "many"}))
        .hasMessageContaining("docs must be an integer >= 0, got 'many'");
    assertThatThrownBy(() -> FirstStage.Options.parse(new String[] {"--threads", "2"}))
        .hasMessageContaining("unknown option or missing value '--threads'");
  }
}
