package dev.winnow.cli;

import dev.winnow.eval.Reliability;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A reliability diagram drawn with XChart: per method, the accuracy of each non-empty probability
 * bin against its mean predicted probability, beside the diagonal of perfect calibration; written
 * as PNG and SVG.
 */
final class ReliabilityDiagram {

  private ReliabilityDiagram() {}

  /** One curve: a method's label, its bins and its expected calibration error. */
  record Curve(String label, List<Reliability.Bin> bins, double ece) {}

  /** Writes {@code prefix.png} and {@code prefix.svg}; returns both paths. */
  static List<Path> write(Path prefix, String title, List<Curve> curves) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(720)
            .height(600)
            .title(title)
            .xAxisTitle("mean predicted probability (bin)")
            .yAxisTitle("fraction relevant (bin)")
            .build();
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
    XYSeries diagonal =
        chart.addSeries("perfectly calibrated", new double[] {0, 1}, new double[] {0, 1});
    diagonal.setMarker(SeriesMarkers.NONE);
    diagonal.setLineColor(Color.GRAY);
    diagonal.setLineStyle(
        new BasicStroke(
            1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
    for (Curve c : curves) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (Reliability.Bin b : c.bins()) {
        if (b.count() > 0) {
          x.add(b.confidence());
          y.add(b.accuracy());
        }
      }
      chart.addSeries(String.format(Locale.ROOT, "%s (ECE %.4f)", c.label(), c.ece()), x, y);
    }
    Path png = Path.of(prefix + ".png");
    Path svg = Path.of(prefix + ".svg");
    try {
      Path dir = prefix.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
      VectorGraphicsEncoder.saveVectorGraphic(
          chart, svg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the reliability diagram " + png, e);
    }
    return List.of(png, svg);
  }

  /** Curves for raw sigmoid, Platt and isotonic over the same pairs. */
  static List<Curve> curves(Map<String, double[]> probabilitiesByMethod, int[] labels) {
    List<Curve> out = new ArrayList<>();
    probabilitiesByMethod.forEach(
        (label, p) ->
            out.add(
                new Curve(
                    label,
                    Reliability.bins(p, labels, Reliability.DEFAULT_BINS),
                    Reliability.expectedCalibrationError(p, labels, Reliability.DEFAULT_BINS))));
    return out;
  }
}
