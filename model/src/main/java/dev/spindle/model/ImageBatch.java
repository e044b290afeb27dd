package dev.spindle.model;

import java.util.function.IntFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CHW images as one network input [n, C, H, W], float32: one flat array per batch, one copy
 * per image, no per-image INDArrays. Trainer, serving and the rotation batch all assemble their
 * inputs here.
 */
public final class ImageBatch {
  private ImageBatch() {}

  /** The batch of {@code n} images, image {@code i} given by {@code image}. */
  public static INDArray of(InputShape shape, int n, IntFunction<float[]> image) {
    return wrap(shape, flat(shape, n, image), n);
  }

  /** The batch's values: image {@code i}'s CHW values from index {@code i * shape.size()}. */
  public static float[] flat(InputShape shape, int n, IntFunction<float[]> image) {
    int size = shape.size();
    float[] flat = new float[n * size];
    for (int i = 0; i < n; i++) {
      System.arraycopy(image.apply(i), 0, flat, i * size, size);
    }
    return flat;
  }

  /** {@code flat} (n images, CHW, one after another) as a batch, without copying. */
  public static INDArray wrap(InputShape shape, float[] flat, int n) {
    return Nd4j.create(flat, new long[] {n, shape.channels(), shape.height(), shape.width()}, 'c');
  }
}
