package dev.winnow.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The cost/quality curve of {@code eval --sweep-k}: quality (y) against cost in ms/query (x), one
 * labelled point per setting, drawn by XChart and written as SVG or PNG (by the file's extension).
 * XChart draws every letter as an outline, in SVG too.
 */
final class CostQualityPlot {

  /** One point: its label (e.g. {@code k=50}), its cost and its quality. */
  record Point(String label, double msPerQuery, double quality) {}

  private CostQualityPlot() {}

  /** The chart of {@code points}, in their order. */
  static XYChart chart(String title, String qualityName, List<Point> points) {
    if (points.isEmpty()) {
      throw new IllegalArgumentException("a plot needs at least one point");
    }
    System.setProperty("java.awt.headless", "true"); // a CLI draws off-screen, with or without X
    XYChart chart =
        new XYChartBuilder()
            .width(640)
            .height(400)
            .title(title)
            .xAxisTitle("ms / query")
            .yAxisTitle(qualityName)
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisMin(0.0);
    double[] xs = points.stream().mapToDouble(Point::msPerQuery).toArray();
    double[] ys = points.stream().mapToDouble(Point::quality).toArray();
    XYSeries series = chart.addSeries(qualityName, xs, ys);
    series.setMarker(SeriesMarkers.CIRCLE);
    for (Point p : points) {
      chart.addAnnotation(
          new AnnotationText(
              String.format(Locale.ROOT, "%s (%.4f)", p.label(), p.quality()),
              p.msPerQuery(),
              p.quality(),
              false));
    }
    return chart;
  }

  /** Writes the chart to {@code file}: {@code .svg} or {@code .png}. */
  static void write(Path file, String title, String qualityName, List<Point> points) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".svg") && !name.endsWith(".png")) {
      throw new IllegalArgumentException("plot must be a .svg or .png file, got " + file);
    }
    XYChart chart = chart(title, qualityName, points);
    try {
      if (name.endsWith(".png")) {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
      } else {
        VectorGraphicsEncoder.saveVectorGraphic(
            chart, file.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the plot " + file, e);
    }
  }
}
