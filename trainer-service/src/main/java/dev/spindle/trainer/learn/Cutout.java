package dev.spindle.trainer.learn;

import dev.spindle.model.InputShape;
import java.util.Random;

/**
 * Cutout (DeVries and Taylor 2017) for rotation pretraining: a {@code side} x {@code side}
 * square at a random centre (clipped at the edges) is blanked in every channel. Without it the
 * pretext is 98.4% solved after 2 epochs on Fashion-MNIST, likely from a few telltale parts;
 * hiding a random part should make the network read more of each garment. Measured on the
 * training holdout (K=4, 2 seeds, 4 propagation rounds): stage 1 0.708 against 0.683 without
 * it, after propagation 0.776 against 0.770.
 *
 * @param side the square's side in pixels; 0 = off
 */
public record Cutout(int side) {
  public static final Cutout NONE = new Cutout(0);

  public Cutout {
    if (side < 0) {
      throw new IllegalArgumentException("cutout side must be 0 (off) or more pixels, was " + side);
    }
  }

  public boolean isNone() {
    return side == 0;
  }

  /** For logs: {@code no cutout} or {@code cutout 10x10 px}. */
  @Override
  public String toString() {
    return isNone() ? "no cutout" : "cutout " + side + "x" + side + " px";
  }

  /** Blanks one square of {@code image} (a CHW image at {@code offset} of {@code data}) in place. */
  public void apply(float[] data, int offset, InputShape shape, Random random) {
    if (isNone()) {
      return;
    }
    int h = shape.height();
    int w = shape.width();
    int top = random.nextInt(h) - side / 2;
    int left = random.nextInt(w) - side / 2;
    for (int c = 0; c < shape.channels(); c++) {
      int plane = offset + c * h * w;
      for (int y = Math.max(0, top); y < Math.min(h, top + side); y++) {
        for (int x = Math.max(0, left); x < Math.min(w, left + side); x++) {
          data[plane + y * w + x] = 0f;
        }
      }
    }
  }
}
