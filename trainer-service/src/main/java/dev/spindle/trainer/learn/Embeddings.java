package dev.spindle.trainer.learn;

import dev.spindle.model.InferenceNetwork;
import dev.spindle.model.InputShape;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network's activations at one layer, flattened channels-first to one row per image
 * (inference mode), computed by the folded {@link InferenceNetwork} copy of the layers up to it.
 */
public final class Embeddings {
  private Embeddings() {}

  /** Rows [n, d]: the output of layer {@code layer} (0-based) for every image. */
  public static INDArray of(MultiLayerNetwork net, int layer, InputShape shape, List<float[]> images) {
    try (InferenceNetwork layers = InferenceNetwork.ofFirst(net, layer + 1)) {
      return layers.features(shape, images);
    }
  }
}
