package dev.spindle.trainer.learn;

import dev.spindle.model.InputShape;
import dev.spindle.model.Rotations;
import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pretext batch: every image in all four rotations, side by side in one batch (image i
 * gives rows 4i..4i+3 with labels 0..3), as RotNet prescribes.
 */
public final class RotationBatch {
  private RotationBatch() {}

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
        Nd4j.create(features, new long[] {rows, shape.channels(), shape.height(), shape.width()}, 'c'),
        Nd4j.create(labels, new long[] {rows, Rotations.COUNT}, 'c'));
  }
}
