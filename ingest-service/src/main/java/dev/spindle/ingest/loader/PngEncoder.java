package dev.spindle.ingest.loader;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Encodes raw 8-bit grayscale pixels as a PNG file, as a camera or app would upload it. */
public final class PngEncoder {
  private PngEncoder() {
  }

  /** Image {@code index} of an IDX image file, as a PNG. */
  public static byte[] fromIdx(IdxFile images, int index) {
    return grayscale(images.image(index), images.cols(), images.rows());
  }

  public static byte[] grayscale(byte[] pixels, int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setDataElements(0, 0, width, height, pixels);
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    // in memory: ImageIO.write to an OutputStream would go through a temp file
    try (ImageOutputStream png = new MemoryCacheImageOutputStream(out)) {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
