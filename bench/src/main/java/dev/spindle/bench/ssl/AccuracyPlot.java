package dev.spindle.bench.ssl;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Test accuracy vs labels per class (log2 axis), one line per method, with +-1 std bars. */
final class AccuracyPlot {
  /** One curve: points at each K (same order as the plot's ks). */
  record Curve(String name, Color colour, double[] mean, double[] std) {}

  private static final int W = 900;
  private static final int H = 600;
  private static final int LEFT = 80;
  private static final int RIGHT = 30;
  private static final int TOP = 60;
  private static final int BOTTOM = 70;

  private AccuracyPlot() {}

  static void write(Path file, String title, int[] ks, List<Curve> curves) throws IOException {
    write(file, title, "labels per class (log scale)", ks, curves);
  }

  /** The same plot with another x-axis title (the x axis is log2 of {@code ks}). */
  static void write(Path file, String title, String xTitle, int[] ks, List<Curve> curves)
      throws IOException {
    BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    double lo = 1;
    double hi = 0;
    for (Curve c : curves) {
      for (int i = 0; i < ks.length; i++) {
        lo = Math.min(lo, c.mean[i] - c.std[i]);
        hi = Math.max(hi, c.mean[i] + c.std[i]);
      }
    }
    lo = Math.floor(lo * 20) / 20;
    hi = Math.min(1, Math.ceil(hi * 20) / 20);
    double xMin = log2(ks[0]);
    double xMax = log2(ks[ks.length - 1]);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
    g.drawString(title, LEFT, 35);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
    for (double y = lo; y <= hi + 1e-9; y += 0.05) {
      int py = py(y, lo, hi);
      g.setColor(new Color(230, 230, 230));
      g.drawLine(LEFT + 1, py, W - RIGHT - 1, py);
      g.setColor(Color.BLACK);
      g.drawString(String.format("%.2f", y), LEFT - 45, py + 5);
    }
    for (int k : ks) {
      int px = px(log2(k), xMin, xMax);
      g.drawString(Integer.toString(k), px - 8, H - BOTTOM + 20);
    }
    g.drawString(xTitle, W / 2 - 80, H - 20);
    g.drawString("test accuracy", 10, TOP - 10);
    int legendY = TOP + 20;
    for (Curve c : curves) {
      g.setColor(c.colour);
      g.setStroke(new BasicStroke(2.5f));
      int prevX = -1;
      int prevY = -1;
      for (int i = 0; i < ks.length; i++) {
        int x = px(log2(ks[i]), xMin, xMax);
        int y = py(c.mean[i], lo, hi);
        g.fillOval(x - 4, y - 4, 8, 8);
        g.drawLine(x, py(c.mean[i] - c.std[i], lo, hi), x, py(c.mean[i] + c.std[i], lo, hi));
        if (prevX >= 0) {
          g.drawLine(prevX, prevY, x, y);
        }
        prevX = x;
        prevY = y;
      }
      g.drawLine(W - RIGHT - 260, legendY, W - RIGHT - 230, legendY);
      g.setColor(Color.BLACK);
      g.drawString(c.name, W - RIGHT - 222, legendY + 5);
      legendY += 22;
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static int px(double x, double min, double max) {
    return LEFT + 20 + (int) Math.round((x - min) / (max - min) * (W - LEFT - RIGHT - 40));
  }

  private static int py(double y, double lo, double hi) {
    return H - BOTTOM - (int) Math.round((y - lo) / (hi - lo) * (H - TOP - BOTTOM));
  }

  private static double log2(double v) {
    return Math.log(v) / Math.log(2);
  }
}
