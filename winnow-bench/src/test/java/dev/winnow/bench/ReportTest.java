package dev.winnow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReportTest {

  private static Results sample() {
    Results r = new Results();
    r.cpuModel = "Test CPU";
    r.cpus = 2;
    r.threads = 2;
    r.javaProbeGflops = 200;
    r.cProbeGflops = 250;
    r.reference = "winnow";
    // 32 pairs of 128 tokens in 0.5 s = 64 pairs/s; 64 x 2.87 / 250 = 73%.
    r.fixed.add(
        new Results.Fixed(
            "fp32",
            "winnow",
            128,
            32,
            new long[] {500_000_000L},
            new long[] {1_000_000_000L},
            0,
            true,
            1));
    r.fixed.add(
        new Results.Fixed(
            "fp32",
            "naive-ort",
            128,
            32,
            new long[] {1_000_000_000L},
            new long[] {2_000_000_000L},
            2e-6,
            true,
            1));
    r.realistic.add(
        new Results.Realistic(
            "fp32", "winnow", 100, new long[] {1_000_000_000L}, 1000, 1040, 900_000, 0, true, 1));
    r.realistic.add(
        new Results.Realistic(
            "fp32",
            "djl",
            100,
            new long[] {2_000_000_000L},
            1000,
            1500,
            1_900_000,
            1e-3,
            false,
            1));
    return r;
  }

  @Test
  void markdown_reportsRatiosRooflineChecksAndTargets() {
    String md = Report.markdown(sample());
    assertThat(md).contains("**250.0 GFLOP/s**");
    assertThat(md).contains("| fp32 | winnow | 64.0 | 64.0 | 73% | 1.00x |");
    assertThat(md).contains("| fp32 | naive-ort | 32.0 | 32.0 | 37% | 0.50x |");
    assertThat(md).contains("| fp32 | 100 | djl | 2000 | 2000 | 2.00x | 50.0% | 1855 |");
    assertThat(md).contains("FAIL");
    // 32 pairs per CPU-second x 2.87 GFLOP = 91.8 GFLOP/s of one core's 125: 73%.
    assertThat(md).contains("| fp32 | winnow | 32.0 | 73% |");
    assertThat(md)
        .contains(
            "fp32 at 128 tokens >= 70% of the measured roofline (best round): 73% -> **met**");
    assertThat(md).contains("fp32 top-100 >= 1.5x faster than djl (p50): 2.00x -> **met**");
    assertThat(md).contains("fp32 top-100 padding waste <= 5%: 4.0% -> **met**");
  }

  @Test
  void svg_isOneDocumentWithALinePerImplementationAndTheRoofline() {
    String svg = Report.svg(sample());
    assertThat(svg).startsWith("<svg").endsWith("</svg>\n");
    assertThat(svg).contains("winnow fp32").contains("naive-ort fp32").contains("fp32 roofline");
  }

  @Test
  void gflopPerPair_matchesTheMiniLmFormula() {
    for (int n : new int[] {128, 256, 512}) {
      assertThat(Results.miniLmGflop(n)).isCloseTo(Results.gflopPerPair(n), within(0.01));
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
