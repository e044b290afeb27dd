package dev.spindle.trainer.learn;

import dev.spindle.model.InputShape;
import java.util.Random;

/**
 * Label-preserving augmentation for transfer training: a random horizontal flip and a random
 * shift of up to {@code maxShift} pixels in each direction (the uncovered border is 0).
 * Applied to a CHW image in place; rotation pretraining never uses it.
 */
public record Augmentation(boolean flip, int maxShift) {
  public static final Augmentation NONE = new Augmentation(false, 0);

  public boolean isNone() {
    return !flip && maxShift == 0;
  }

  /** In words, for reports: e.g. "flips + 2 px shifts", "no augmentation". */
  public String describe() {
    if (isNone()) {
      return "no augmentation";
    }
    String shifts = maxShift + " px shifts";
    return flip && maxShift > 0 ? "flips + " + shifts : flip ? "flips" : shifts;
  }

  /** Augments {@code image} (one CHW image at {@code offset} of {@code data}) in place. */
  public void apply(float[] data, int offset, InputShape shape, Random random, float[] scratch) {
    if (isNone()) {
      return;
    }
    int h = shape.height();
    int w = shape.width();
    boolean mirror = flip && random.nextBoolean();
    int dy = maxShift == 0 ? 0 : random.nextInt(2 * maxShift + 1) - maxShift;
    int dx = maxShift == 0 ? 0 : random.nextInt(2 * maxShift + 1) - maxShift;
    int size = shape.size();
    System.arraycopy(data, offset, scratch, 0, size);
    for (int c = 0; c < shape.channels(); c++) {
      int plane = c * h * w;
      for (int y = 0; y < h; y++) {
        int sy = y - dy;
        for (int x = 0; x < w; x++) {
          int sx0 = x - dx;
          int sx = mirror ? w - 1 - sx0 : sx0;
          boolean inside = sy >= 0 && sy < h && sx0 >= 0 && sx0 < w;
          data[offset + plane + y * w + x] = inside ? scratch[plane + sy * w + sx] : 0f;
        }
      }
    }
  }
}
