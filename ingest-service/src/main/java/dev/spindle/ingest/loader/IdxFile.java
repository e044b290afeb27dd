package dev.spindle.ingest.loader;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * An IDX file (the MNIST / Fashion-MNIST format), gzipped or not: images (magic 0x803,
 * count x rows x cols unsigned bytes) or labels (magic 0x801, count unsigned bytes).
 *
 * @param count number of items
 * @param rows image height (0 for labels)
 * @param cols image width (0 for labels)
 * @param data the items' bytes, item after item
 */
public record IdxFile(int count, int rows, int cols, byte[] data) {
  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;

  public static IdxFile read(Path path) throws IOException {
    try (InputStream raw = Files.newInputStream(path);
        DataInputStream in = new DataInputStream(path.toString().endsWith(".gz")
            ? new GZIPInputStream(raw, 1 << 16) : raw)) {
      int magic = in.readInt();
      int count = in.readInt();
      int rows = 0;
      int cols = 0;
      if (magic == IMAGES_MAGIC) {
        rows = in.readInt();
        cols = in.readInt();
      } else if (magic != LABELS_MAGIC) {
        throw new IOException(path + " is not an IDX image or label file (magic 0x"
            + Integer.toHexString(magic) + ")");
      }
      byte[] data = new byte[Math.multiplyExact(count, Math.max(1, rows * cols))];
      in.readFully(data);
      return new IdxFile(count, rows, cols, data);
    }
  }

  public boolean isImages() {
    return rows > 0;
  }

  /** Pixels of image {@code i} (row-major, 0 = black). */
  public byte[] image(int i) {
    int size = rows * cols;
    byte[] pixels = new byte[size];
    System.arraycopy(data, i * size, pixels, 0, size);
    return pixels;
  }

  /** Label index of item {@code i}. */
  public int label(int i) {
    return data[i] & 0xFF;
  }
}
