package dev.spindle.trainer;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/** Real Fashion-MNIST training images as PNG bytes, with their labels (Debian's package). */
public final class FashionMnistSample {
  private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** One PNG and its class index. */
  public record Item(byte[] png, int label) {}

  private FashionMnistSample() {}

  /** Images {@code from} .. {@code from + count - 1} of the training set. */
  public static List<Item> train(int from, int count) throws IOException {
    byte[] pixels = read(DIR.resolve("train-images-idx3-ubyte.gz"), 16);
    byte[] labels = read(DIR.resolve("train-labels-idx1-ubyte.gz"), 8);
    List<Item> items = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      for (int p = 0; p < 784; p++) {
        image.getRaster().setSample(p % 28, p / 28, 0, pixels[i * 784 + p] & 0xFF);
      }
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(image, "png", png);
      items.add(new Item(png.toByteArray(), labels[i]));
    }
    return items;
  }

  /** Images {@code from} .. {@code from + count - 1} as pixels/255 (CHW, 1x28x28). */
  public static List<float[]> pixels(int from, int count) throws IOException {
    byte[] pixels = read(DIR.resolve("train-images-idx3-ubyte.gz"), 16);
    List<float[]> images = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      float[] image = new float[784];
      for (int p = 0; p < 784; p++) {
        image[p] = (pixels[i * 784 + p] & 0xFF) / 255f;
      }
      images.add(image);
    }
    return images;
  }

  /** The class indices of images {@code from} .. {@code from + count - 1}. */
  public static int[] labels(int from, int count) throws IOException {
    byte[] labels = read(DIR.resolve("train-labels-idx1-ubyte.gz"), 8);
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = labels[from + i];
    }
    return out;
  }

  private static byte[] read(Path file, int header) throws IOException {
    try (InputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
      in.readNBytes(header);
      return in.readAllBytes();
    }
  }
}
