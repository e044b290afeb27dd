package dev.spindle.model;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Real encoded images for tests, made with ImageIO. */
public final class TestPictures {
  private TestPictures() {}

  /** A grey image whose pixel (x, y) is {@code (x * 7 + y * 3 + seed) % 256}. */
  public static BufferedImage grey(int width, int height, int seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.getRaster().setSample(x, y, 0, (x * 7 + y * 3 + seed) % 256);
      }
    }
    return image;
  }

  /** A colour image with random pixels. */
  public static BufferedImage colour(int width, int height, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    return image;
  }

  public static byte[] encode(BufferedImage image, String format) {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code jpeg} as a camera writes it: an EXIF segment (APP1) after the JFIF one, whose first
   * directory holds the orientation tag with {@code orientation}, in Intel ({@code II}) or
   * Motorola ({@code MM}) byte order.
   */
  public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean intel) {
    ByteArrayOutputStream tiff = new ByteArrayOutputStream();
    tiff.writeBytes(intel ? new byte[] {'I', 'I'} : new byte[] {'M', 'M'});
    writeShort(tiff, 42, intel);
    writeInt(tiff, 8, intel); // the first directory follows the 8-byte header
    writeShort(tiff, 1, intel); // one entry
    writeShort(tiff, 0x0112, intel); // Orientation
    writeShort(tiff, 3, intel); // SHORT
    writeInt(tiff, 1, intel); // one value, in the entry itself
    writeShort(tiff, orientation, intel);
    writeShort(tiff, 0, intel);
    writeInt(tiff, 0, intel); // no next directory
    byte[] body = tiff.toByteArray();
    int length = 2 + 6 + body.length;
    // after SOI (2 bytes) and the JFIF APP0 segment ImageIO writes
    int app0End = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, app0End);
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (length >> 8), (byte) length});
    out.writeBytes("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    out.writeBytes(body);
    out.write(jpeg, app0End, jpeg.length - app0End);
    return out.toByteArray();
  }

  private static void writeShort(ByteArrayOutputStream out, int v, boolean intel) {
    out.writeBytes(intel ? new byte[] {(byte) v, (byte) (v >> 8)}
        : new byte[] {(byte) (v >> 8), (byte) v});
  }

  private static void writeInt(ByteArrayOutputStream out, int v, boolean intel) {
    writeShort(out, intel ? v & 0xFFFF : v >>> 16, intel);
    writeShort(out, intel ? v >>> 16 : v & 0xFFFF, intel);
  }
}
