package dev.winnow.cli;

import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG line chart of quality (y) against cost in ms/query (x), one labelled point per
 * setting: the cost/quality curve of {@code eval --sweep-k}. Pure function of its inputs.
 */
final class CostQualityPlot {

  /** One point: its label (e.g. {@code k=50}), its cost and its quality. */
  record Point(String label, double msPerQuery, double quality) {}

  private CostQualityPlot() {}

  static String svg(String title, String qualityName, List<Point> points) {
    if (points.isEmpty()) {
      throw new IllegalArgumentException("a plot needs at least one point");
    }
    int w = 640;
    int h = 400;
    int left = 70;
    int right = 30;
    int top = 50;
    int bottom = 60;
    double minX = 0;
    double maxX = points.stream().mapToDouble(Point::msPerQuery).max().orElse(1);
    double minY = points.stream().mapToDouble(Point::quality).min().orElse(0);
    double maxY = points.stream().mapToDouble(Point::quality).max().orElse(1);
    if (maxX <= minX) {
      maxX = minX + 1;
    }
    double pad = Math.max(0.005, (maxY - minY) * 0.15);
    minY -= pad;
    maxY += pad;
    double sx = (w - left - right) / (maxX - minX) / 1.1;
    double sy = (h - top - bottom) / (maxY - minY);
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n",
            w,
            h,
            w,
            h));
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"25\" font-size=\"15\" text-anchor=\"middle\">%s</text>%n",
            w / 2,
            escape(title)));
    // axes
    sb.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
            left,
            h - bottom,
            w - right,
            h - bottom));
    sb.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
            left,
            top,
            left,
            h - bottom));
    for (int i = 0; i <= 4; i++) {
      double yv = minY + (maxY - minY) * i / 4;
      double y = h - bottom - (yv - minY) * sy;
      double xv = minX + (maxX * 1.1 - minX) * i / 4;
      double x = left + (xv - minX) * sx;
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>%n",
              left - 6,
              y + 4,
              yv));
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>%n",
              x,
              h - bottom + 18,
              xv));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">ms / query</text>%n",
            (left + w - right) / 2,
            h - 15));
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">%s</text>%n",
            (top + h - bottom) / 2,
            (top + h - bottom) / 2,
            escape(qualityName)));
    StringBuilder path = new StringBuilder();
    for (Point p : points) {
      double x = left + (p.msPerQuery() - minX) * sx;
      double y = h - bottom - (p.quality() - minY) * sy;
      path.append(path.length() == 0 ? "M" : " L")
          .append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
    }
    sb.append("<path d=\"")
        .append(path)
        .append("\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n");
    for (Point p : points) {
      double x = left + (p.msPerQuery() - minX) * sx;
      double y = h - bottom - (p.quality() - minY) * sy;
      sb.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\"/>%n"
                  + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s (%.4f)</text>%n",
              x,
              y,
              x > w - 160 ? x - 6 : x + 6,
              y - 6,
              x > w - 160 ? "end" : "start",
              escape(p.label()),
              p.quality()));
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
