package dev.spindle.trainer.learn;

import dev.spindle.model.InferenceNetwork;
import dev.spindle.model.Networks;
import dev.spindle.model.layers.InputDense;
import dev.spindle.model.onednn.HeadTraining;
import java.util.Optional;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Stage 1 (frozen backbone, the head learns) without DL4J's pass through the frozen layers:
 * their BatchNorm is in inference mode, so the backbone is the folded {@link InferenceNetwork}
 * copy serving runs (convolution + BatchNorm + ReLU as one op, channels-last), and the head
 * (the layers after the backbone: same configuration, parameters, Adam) is a network of its own
 * that trains on the backbone's outputs. {@link #writeBack} puts the head's parameters into the
 * frozen network. The same training as fitting the frozen network, to float rounding; the
 * usual head (a ReLU layer and a softmax output) trains through oneDNN's inner products
 * ({@link HeadTraining}), any other through DL4J's {@code fit}:
 * <ul>
 *   <li>{@link #fit(DataSet)}: one step on a batch of images (e.g. freshly augmented ones), the
 *       backbone run on it first;</li>
 *   <li>{@link #fitCached}: without augmentation an image's backbone output never changes, so
 *       the backbone runs once per image and every epoch trains on those features.</li>
 * </ul>
 */
public final class HeadOnFeatures {
  private final MultiLayerNetwork frozen;
  private final int headLayer;
  private final InferenceNetwork backbone;
  private final MultiLayerNetwork head;
  private final Optional<HeadTraining> direct;

  private HeadOnFeatures(MultiLayerNetwork frozen, int headLayer, long seed) {
    this.frozen = frozen;
    this.headLayer = headLayer;
    this.backbone = InferenceNetwork.ofFirst(frozen, headLayer);
    this.head = head(frozen, headLayer, seed);
    this.direct = HeadTraining.of(head);
  }

  /**
   * The head of {@code frozen} (every layer from {@code headLayer} on, the layers before it
   * frozen) ready to train, its initialisation drawn from {@code seed} where it needs one.
   */
  public static HeadOnFeatures of(MultiLayerNetwork frozen, int headLayer, long seed) {
    return new HeadOnFeatures(frozen, headLayer, seed);
  }

  /**
   * Trains the head of {@code frozen} for {@code epochs} epochs on {@code train}'s cached
   * backbone features, batches drawn from {@code random}, and writes it back.
   */
  static void fitCached(MultiLayerNetwork frozen, int headLayer, Examples train, int classes,
      int epochs, int batchSize, long seed, Random random, TwoStageTransfer.Progress progress) {
    HeadOnFeatures step = of(frozen, headLayer, seed);
    try (INDArray features = step.backbone.features(train.shape(), train.images())) {
      for (int epoch = 1; epoch <= epochs; epoch++) {
        for (int[] batch : train.shuffledBatches(batchSize, random)) {
          step.train(train.dataSetOver(features, batch, classes));
        }
        progress.epochDone("stage 1", epoch, epochs);
      }
    }
    step.writeBack();
  }

  /**
   * One training step of the head on {@code images} (NCHW features, labels, optional label
   * mask), whose arrays are then released.
   */
  public void fit(DataSet images) {
    try {
      INDArray features = backbone.features(images.getFeatures());
      train(new DataSet(features, images.getLabels(), null, images.getLabelsMaskArray()));
    } finally {
      images.getFeatures().close();
    }
  }

  /** One step of the head on {@code features} (rows), whose arrays are then released. */
  private void train(DataSet features) {
    if (direct.isEmpty()) {
      TwoStageTransfer.fitAndRelease(head, features);
      return;
    }
    try {
      direct.get().fit(features);
    } finally {
      TwoStageTransfer.release(features);
    }
  }

  /** The head's parameters into the frozen network it came from. */
  public void writeBack() {
    Networks.copyLayers(head, 0, frozen, headLayer, head.getLayers().length);
  }

  /**
   * The frozen network's head as a network of its own: its layers' configurations (updater
   * included; a dense first layer as an {@link InputDense}, which skips DL4J's recomputed
   * forward product and the gradient for the features) and parameters, so the two cannot
   * drift apart.
   */
  private static MultiLayerNetwork head(MultiLayerNetwork frozen, int headLayer, long seed) {
    var list = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).list();
    int layers = frozen.getLayers().length - headLayer;
    for (int i = 0; i < layers; i++) {
      var layer = frozen.getLayer(headLayer + i).conf().getLayer().clone();
      // the head's first layer reads features nothing needs a gradient for
      list.layer(i == 0 && layer.getClass() == DenseLayer.class
          ? InputDense.of((DenseLayer) layer) : layer);
    }
    MultiLayerNetwork head = new MultiLayerNetwork(list.build());
    head.init();
    Networks.copyLayers(frozen, headLayer, head, 0, layers);
    return head;
  }
}
