package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

class CostQualityPlotTest {

  @Test
  void svg_isWellFormedWithOnePointPerSetting() throws Exception {
    String svg =
        CostQualityPlot.svg(
            "BM25 -> bge-small <rescoring>",
            "nDCG@10",
            List.of(
                new CostQualityPlot.Point("k=10", 3.0, 0.70),
                new CostQualityPlot.Point("k=100", 9.5, 0.72)));
    var doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new java.io.ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(2);
    assertThat(svg).contains("k=100 (0.7200)").contains("&lt;rescoring&gt;");
    assertThatThrownBy(() -> CostQualityPlot.svg("t", "q", List.of()))
        .hasMessageContaining("at least one point");
  }
}
