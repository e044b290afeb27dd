package dev.spindle.serving.dashboard;

import dev.spindle.model.InputShape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Preprocessed CHW pixels in [0, 1] back to a small PNG, as a data URI for an img tag. */
final class Thumbnails {
  private Thumbnails() {}

  static String dataUri(float[] chw, InputShape shape) {
    int w = shape.width();
    int h = shape.height();
    int plane = w * h;
    boolean grey = shape.channels() == 1;
    BufferedImage image = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        if (grey) {
          image.getRaster().setSample(x, y, 0, level(chw[i]));
        } else {
          image.setRGB(x, y, level(chw[i]) << 16 | level(chw[plane + i]) << 8 | level(chw[2 * plane + i]));
        }
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(png)) {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
  }

  private static int level(float v) {
    return Math.max(0, Math.min(255, Math.round(v * 255)));
  }
}
