package dev.spindle.ingest;

import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * Real images for tests: Fashion-MNIST pictures from Debian's dataset-fashion-mnist, encoded as
 * PNG (as uploaded) or as a colour JPEG at camera-like size, plus damaged variants.
 */
public final class TestImages {
  public static final Path TRAIN_IMAGES =
      Path.of(FashionMnist.TRAIN_IMAGES);
  public static final Path TRAIN_LABELS =
      Path.of(FashionMnist.TRAIN_LABELS);
  private static IdxFile images;

  private TestImages() {
  }

  private static synchronized IdxFile fmnist() {
    if (images == null) {
      try {
        images = IdxFile.read(TRAIN_IMAGES);
      } catch (IOException e) {
        throw new UncheckedIOException("install Debian's dataset-fashion-mnist", e);
      }
    }
    return images;
  }

  public static BufferedImage picture(int index) {
    IdxFile idx = fmnist();
    BufferedImage image = new BufferedImage(idx.cols(), idx.rows(), BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setDataElements(0, 0, idx.cols(), idx.rows(), idx.image(index));
    return image;
  }

  /** Fashion-MNIST image {@code index} as a PNG file. */
  public static byte[] png(int index) {
    return encode(picture(index), "png");
  }

  /** Fashion-MNIST image {@code index} as a 224x224 colour JPEG, like a camera upload. */
  public static byte[] jpeg(int index) {
    BufferedImage colour = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = colour.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(picture(index), 0, 0, 224, 224, null);
    g.dispose();
    return encode(colour, "jpeg");
  }

  /** The first {@code fraction} of the bytes. */
  public static byte[] truncated(byte[] bytes, double fraction) {
    return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
  }

  /**
   * A PNG whose header claims {@code width} x {@code height} pixels but which holds no image
   * data: what a decompression bomb looks like before decoding.
   */
  public static byte[] pngClaiming(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static byte[] encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
