package dev.spindle.trainer.learn;

import dev.spindle.model.ImageBatch;
import dev.spindle.model.InputShape;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** A network's activations at one layer, flattened to one row per image (inference mode). */
public final class Embeddings {
  private static final int BATCH = 256;

  private Embeddings() {}

  /** Rows [n, d]: the output of layer {@code layer} (0-based) for every image. */
  public static INDArray of(MultiLayerNetwork net, int layer, InputShape shape, List<float[]> images) {
    INDArray out = null;
    for (int from = 0; from < images.size(); from += BATCH) {
      int to = Math.min(images.size(), from + BATCH);
      int offset = from;
      try (INDArray x = ImageBatch.of(shape, to - from, i -> images.get(offset + i))) {
        List<INDArray> activations = net.feedForwardToLayer(layer, x, false);
        INDArray a = activations.get(layer + 1);
        INDArray rows = a.reshape('c', a.size(0), a.length() / a.size(0));
        if (out == null) {
          out = Nd4j.create(rows.dataType(), images.size(), rows.size(1));
        }
        out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(rows);
        for (INDArray activation : activations) {
          if (activation != x && activation.closeable()) {
            activation.close();
          }
        }
      }
    }
    return out;
  }
}
