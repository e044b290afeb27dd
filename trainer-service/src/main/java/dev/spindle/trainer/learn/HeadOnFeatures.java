package dev.spindle.trainer.learn;

import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Stage 1 without running the frozen backbone every epoch: its BatchNorm is in inference mode,
 * so without augmentation an image's backbone output never changes. The backbone runs once per
 * image, and the head (the dense layer and the output layer, same parameters, same Adam, same
 * batches in the same order) trains on those features; its parameters then go back into the
 * frozen network. The same training as fitting the frozen network, at a fraction of the cost
 * (the backbone forward was most of a stage-1 step).
 */
final class HeadOnFeatures {
  private HeadOnFeatures() {}

  /**
   * Trains the head of {@code frozen} (layers {@code headLayer} and {@code headLayer + 1})
   * for {@code epochs} epochs on {@code train}, batches drawn from {@code random}.
   */
  static void fit(MultiLayerNetwork frozen, int headLayer, Examples train, int classes,
      int epochs, int batchSize, double learningRate, long seed, Random random,
      TwoStageTransfer.Progress progress) {
    try (INDArray features = Embeddings.of(frozen, headLayer - 1, train.shape(), train.images())) {
      MultiLayerNetwork head = head(frozen, headLayer, (int) features.size(1), classes,
          learningRate, seed);
      for (int epoch = 1; epoch <= epochs; epoch++) {
        for (int[] batch : train.shuffledBatches(batchSize, random)) {
          TwoStageTransfer.fitAndRelease(head, train.dataSetOver(features, batch, classes));
        }
        progress.epochDone("stage 1", epoch, epochs);
      }
      frozen.getLayer(headLayer).params().assign(head.getLayer(0).params());
      frozen.getLayer(headLayer + 1).params().assign(head.getLayer(1).params());
    }
  }

  /** The frozen network's head as a network of its own, starting from the same parameters. */
  private static MultiLayerNetwork head(MultiLayerNetwork frozen, int headLayer, int inputs,
      int classes, double learningRate, long seed) {
    DenseLayer hidden = (DenseLayer) frozen.getLayer(headLayer).conf().getLayer();
    MultiLayerNetwork head = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .updater(new Adam(learningRate))
        .list()
        .layer(new DenseLayer.Builder().nIn(inputs).nOut(hidden.getNOut())
            .activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(hidden.getNOut()).nOut(classes).activation(Activation.SOFTMAX).build())
        .build());
    head.init();
    head.getLayer(0).params().assign(frozen.getLayer(headLayer).params());
    head.getLayer(1).params().assign(frozen.getLayer(headLayer + 1).params());
    return head;
  }
}
