package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReliabilityDiagramTest {

  @TempDir Path tmp;

  @Test
  void write_drawsPngAndSvgWithEachMethodsEce() throws Exception {
    Map<String, double[]> byMethod = new LinkedHashMap<>();
    byMethod.put("raw sigmoid", new double[] {0.1, 0.1, 0.9, 0.9});
    byMethod.put("isotonic", new double[] {0, 0.5, 0.5, 1});
    List<ReliabilityDiagram.Curve> curves =
        ReliabilityDiagram.curves(byMethod, new int[] {0, 1, 0, 1});
    assertThat(curves.get(0).ece()).isEqualTo(0.4);
    List<Path> files = ReliabilityDiagram.write(tmp.resolve("diagram"), "toy", curves);
    assertThat(files).containsExactly(tmp.resolve("diagram.png"), tmp.resolve("diagram.svg"));
    byte[] png = Files.readAllBytes(files.get(0));
    assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    String svg = Files.readString(files.get(1));
    // VectorGraphics2D draws text as glyph outlines, so the labels are paths, not strings.
    assertThat(svg).contains("<svg").contains("viewBox=\"0 0 720 600\"").contains("<path");
  }
}
