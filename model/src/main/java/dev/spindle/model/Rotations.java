package dev.spindle.model;

/**
 * The rotation pretext task: 0, 90, 180 and 270 degrees counter-clockwise (as
 * {@code torch.rot90}). Rotations are exact pixel permutations of a square CHW image.
 */
public final class Rotations {
  /** The four classes of the pretext task. */
  public static final int COUNT = 4;

  private Rotations() {}

  /**
   * Writes {@code src} (CHW, square side {@code side}, starting at {@code srcOffset}) rotated
   * by {@code quarterTurns} x 90 degrees counter-clockwise into {@code dest} at
   * {@code destOffset}.
   */
  public static void rotate(float[] src, int srcOffset, float[] dest, int destOffset,
      int channels, int side, int quarterTurns) {
    int k = Math.floorMod(quarterTurns, COUNT);
    int plane = side * side;
    int last = side - 1;
    for (int c = 0; c < channels; c++) {
      int s0 = srcOffset + c * plane;
      int d0 = destOffset + c * plane;
      for (int i = 0; i < side; i++) {
        for (int j = 0; j < side; j++) {
          int from = switch (k) {
            case 0 -> i * side + j;
            case 1 -> j * side + (last - i);
            case 2 -> (last - i) * side + (last - j);
            default -> (last - j) * side + i;
          };
          dest[d0 + i * side + j] = src[s0 + from];
        }
      }
    }
  }

  /** A rotated copy of one CHW image. */
  public static float[] rotated(float[] image, InputShape shape, int quarterTurns) {
    requireSquare(shape);
    float[] out = new float[shape.size()];
    rotate(image, 0, out, 0, shape.channels(), shape.height(), quarterTurns);
    return out;
  }

  public static void requireSquare(InputShape shape) {
    if (!shape.isSquare()) {
      throw new IllegalArgumentException(
          "rotation pretraining needs a square input shape, was " + shape);
    }
  }
}
