package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class CostQualityPlotTest {

  @TempDir Path tmp;

  private static final List<CostQualityPlot.Point> POINTS =
      List.of(
          new CostQualityPlot.Point("k=10", 3.0, 0.70),
          new CostQualityPlot.Point("k=100", 9.5, 0.72));

  @Test
  void chart_hasOnePointPerSetting_inOrder() {
    XYChart chart = CostQualityPlot.chart("t", "nDCG@10", POINTS);
    XYSeries series = chart.getSeriesMap().get("nDCG@10");
    assertThat(series.getXData()).containsExactly(3.0, 9.5);
    assertThat(series.getYData()).containsExactly(0.70, 0.72);
    assertThat(chart.getTitle()).isEqualTo("t");
  }

  @Test
  void svg_isWellFormed_ofTheChartsSize() throws Exception {
    Path svg = tmp.resolve("sweep.svg");
    CostQualityPlot.write(svg, "BM25 -> bge-small <rescoring>", "nDCG@10", POINTS);
    DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
    // The SVG names its DTD by URL: parse without fetching it (no network here, nor needed).
    xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    var doc = xml.newDocumentBuilder().parse(svg.toFile());
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(doc.getDocumentElement().getAttribute("viewBox")).isEqualTo("0 0 640 400");
  }

  @Test
  void png_isAnImageOfTheChartsSize() throws Exception {
    Path png = tmp.resolve("sweep.png");
    CostQualityPlot.write(png, "t", "nDCG@10", POINTS);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(640);
    assertThat(image.getHeight()).isEqualTo(400);
  }

  @Test
  void badInput_isNamed() {
    assertThatThrownBy(() -> CostQualityPlot.write(tmp.resolve("p.svg"), "t", "q", List.of()))
        .hasMessageContaining("at least one point");
    assertThatThrownBy(() -> CostQualityPlot.write(tmp.resolve("p.pdf"), "t", "q", POINTS))
        .hasMessage("plot must be a .svg or .png file, got " + tmp.resolve("p.pdf"));
    assertThat(Files.exists(tmp.resolve("p.pdf"))).isFalse();
  }
}
