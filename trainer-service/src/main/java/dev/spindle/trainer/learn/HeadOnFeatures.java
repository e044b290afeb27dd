package dev.spindle.trainer.learn;

import dev.spindle.model.Networks;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stage 1 without running the frozen backbone every epoch: its BatchNorm is in inference mode,
 * so without augmentation an image's backbone output never changes. The backbone runs once per
 * image, and the head (the layers after the backbone: same configuration, parameters, Adam,
 * batches in the same order) trains on those features; its parameters then go back into the
 * frozen network. The same training as fitting the frozen network, at a fraction of the cost
 * (the backbone forward was most of a stage-1 step).
 */
final class HeadOnFeatures {
  private HeadOnFeatures() {}

  /**
   * Trains the head of {@code frozen} (every layer from {@code headLayer} on) for
   * {@code epochs} epochs on {@code train}, batches drawn from {@code random}.
   */
  static void fit(MultiLayerNetwork frozen, int headLayer, Examples train, int classes,
      int epochs, int batchSize, long seed, Random random, TwoStageTransfer.Progress progress) {
    try (INDArray features = Embeddings.of(frozen, headLayer - 1, train.shape(), train.images())) {
      MultiLayerNetwork head = head(frozen, headLayer, seed);
      for (int epoch = 1; epoch <= epochs; epoch++) {
        for (int[] batch : train.shuffledBatches(batchSize, random)) {
          TwoStageTransfer.fitAndRelease(head, train.dataSetOver(features, batch, classes));
        }
        progress.epochDone("stage 1", epoch, epochs);
      }
      Networks.copyLayers(head, 0, frozen, headLayer, head.getLayers().length);
    }
  }

  /**
   * The frozen network's head as a network of its own: its layers' configurations (updater
   * included) and parameters, so the two cannot drift apart.
   */
  private static MultiLayerNetwork head(MultiLayerNetwork frozen, int headLayer, long seed) {
    var list = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).list();
    int layers = frozen.getLayers().length - headLayer;
    for (int i = 0; i < layers; i++) {
      list.layer(frozen.getLayer(headLayer + i).conf().getLayer().clone());
    }
    MultiLayerNetwork head = new MultiLayerNetwork(list.build());
    head.init();
    Networks.copyLayers(frozen, headLayer, head, 0, layers);
    return head;
  }
}
