package dev.spindle.trainer.learn;

import dev.spindle.model.ImageBatch;
import dev.spindle.model.InferenceNetwork;
import dev.spindle.model.InputShape;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A network's activations at one layer, flattened channels-first to one row per image
 * (inference mode), computed by the folded {@link InferenceNetwork} copy of the layers up to it.
 */
public final class Embeddings {
  private static final int BATCH = 256;

  private Embeddings() {}

  /** Rows [n, d]: the output of layer {@code layer} (0-based) for every image. */
  public static INDArray of(MultiLayerNetwork net, int layer, InputShape shape, List<float[]> images) {
    try (InferenceNetwork layers = InferenceNetwork.ofFirst(net, layer + 1)) {
      return of(layers, shape, images);
    }
  }

  /** Rows [n, d]: {@code layers}' features for every image. */
  static INDArray of(InferenceNetwork layers, InputShape shape, List<float[]> images) {
    INDArray out = null;
    for (int from = 0; from < images.size(); from += BATCH) {
      int to = Math.min(images.size(), from + BATCH);
      int offset = from;
      try (INDArray x = ImageBatch.of(shape, to - from, i -> images.get(offset + i));
          INDArray rows = layers.features(x)) {
        if (out == null) {
          out = Nd4j.create(rows.dataType(), images.size(), rows.size(1));
        }
        out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(rows);
      }
    }
    return out;
  }
}
