package dev.spindle.bench;

import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.PngEncoder;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * IDX images encoded as PNG files, ahead of any timing; optionally transformed first, which
 * gives new images (new bytes, new ids) of the same kind: an inverted image (255 - p) is never
 * equal to any Fashion-MNIST image, whose backgrounds are black.
 */
final class PngImages {
  private PngImages() {
  }

  static List<byte[]> encodeAll(IdxFile idx) {
    return encodeAll(idx, UnaryOperator.identity());
  }

  static List<byte[]> encodeAll(IdxFile idx, UnaryOperator<byte[]> transform) {
    return IntStream.range(0, idx.count()).parallel()
        .mapToObj(i -> PngEncoder.grayscale(transform.apply(idx.image(i)), idx.cols(), idx.rows()))
        .toList();
  }

  /** 255 - p for every pixel. */
  static byte[] inverted(byte[] pixels) {
    return xor(255).apply(pixels);
  }

  /**
   * p XOR {@code mask} for every pixel: a new image for every mask (0 is the image itself, 255
   * its inverse), so repeated passes never send an image twice.
   */
  static UnaryOperator<byte[]> xor(int mask) {
    return pixels -> {
      byte[] out = new byte[pixels.length];
      for (int i = 0; i < pixels.length; i++) {
        out[i] = (byte) (pixels[i] ^ mask);
      }
      return out;
    };
  }

  /** The square image mirrored about its diagonal, then inverted. */
  static byte[] transposedInverted(byte[] pixels) {
    int side = (int) Math.round(Math.sqrt(pixels.length));
    byte[] transposed = new byte[pixels.length];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        transposed[x * side + y] = pixels[y * side + x];
      }
    }
    return inverted(transposed);
  }
}
