package dev.spindle.model;

import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pretext batch: every image in all four rotations, side by side in one batch (image i
 * gives rows 4i..4i+3 with labels 0..3), as RotNet prescribes.
 */
public final class RotationBatch {
  private RotationBatch() {}

  /**
   * Share of the 4 x n rotated copies of {@code images} whose rotation {@code rotationNet}
   * predicts right: the pretext accuracy (NaN for no images). The caller makes sure nothing
   * else uses the network meanwhile.
   */
  public static double accuracy(
      org.deeplearning4j.nn.multilayer.MultiLayerNetwork rotationNet, List<float[]> images,
      InputShape shape) {
    if (images.isEmpty()) {
      return Double.NaN;
    }
    long correct = 0;
    for (int from = 0; from < images.size(); from += 64) {
      DataSet batch = of(images.subList(from, Math.min(images.size(), from + 64)), shape);
      try (org.nd4j.linalg.api.ndarray.INDArray out = rotationNet.output(batch.getFeatures(), false)) {
        int[] predicted = out.argMax(1).toIntVector();
        for (int row = 0; row < predicted.length; row++) {
          if (predicted[row] == row % Rotations.COUNT) {
            correct++;
          }
        }
      } finally {
        batch.getFeatures().close();
        batch.getLabels().close();
      }
    }
    return (double) correct / (images.size() * (long) Rotations.COUNT);
  }

  public static DataSet of(List<float[]> images, InputShape shape) {
    Rotations.requireSquare(shape);
    int size = shape.size();
    int rows = images.size() * Rotations.COUNT;
    float[] features = new float[rows * size];
    float[] labels = new float[rows * Rotations.COUNT];
    int row = 0;
    for (float[] image : images) {
      for (int k = 0; k < Rotations.COUNT; k++, row++) {
        Rotations.rotate(image, 0, features, row * size, shape.channels(), shape.height(), k);
        labels[row * Rotations.COUNT + k] = 1f;
      }
    }
    return new DataSet(
        ImageBatch.wrap(shape, features, rows),
        Nd4j.create(labels, new long[] {rows, Rotations.COUNT}, 'c'));
  }
}
