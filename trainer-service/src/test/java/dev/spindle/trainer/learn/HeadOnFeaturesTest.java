package dev.spindle.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.trainer.FashionMnistSample;
import java.io.IOException;
import java.util.Random;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stage 1 on the folded backbone copy's features, cached or batch by batch, is the same
 * training as fitting the frozen network.
 */
class HeadOnFeaturesTest {
  private static final InputShape SHAPE = InputShape.FASHION_MNIST;
  private static final int EPOCHS = 3;
  private static final int BATCH = 16;
  private static final NetworkSpec SPEC = NetworkSpec.forInput(SHAPE, 4);
  private static final int HEAD_LAYER = Networks.backboneLayers(SPEC, SPEC.cutBlock());
  private static final MultiLayerNetwork ROTATION =
      Networks.rotationNet(SPEC.withCut(SPEC.blocks()), 1e-3, 7);
  private static Examples TRAIN;

  @BeforeAll
  static void loadImages() throws IOException {
    // 70 examples in batches of 16: the last batch is partial, as in real stage-1 data
    TRAIN = new Examples(SHAPE, FashionMnistSample.pixels(0, 70), FashionMnistSample.labels(0, 70));
  }

  @Test
  void shouldTrainTheHeadOnCachedFeaturesAsFittingTheFrozenNetworkDoes() {
    MultiLayerNetwork onNetwork = fittedFrozenNetwork(Augmentation.NONE);
    MultiLayerNetwork onFeatures = frozenClassifier();
    HeadOnFeatures.fitCached(onFeatures, HEAD_LAYER, TRAIN, 10, EPOCHS, BATCH, 1, new Random(3),
        TwoStageTransfer.Progress.NONE);

    assertSameTraining(onFeatures, onNetwork);
    assertHeadMoved(onFeatures);
  }

  @Test
  void shouldTrainTheHeadBatchByBatchOnAugmentedImagesAsFittingTheFrozenNetworkDoes() {
    Augmentation augmentation = new Augmentation(true, 2);
    MultiLayerNetwork onNetwork = fittedFrozenNetwork(augmentation);
    MultiLayerNetwork stepped = frozenClassifier();
    HeadOnFeatures head = HeadOnFeatures.of(stepped, HEAD_LAYER, 1);
    Random draws = new Random(3);
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      for (int[] batch : TRAIN.shuffledBatches(BATCH, draws)) {
        head.fit(TRAIN.dataSet(batch, 10, augmentation, draws));
      }
    }
    head.writeBack();

    assertSameTraining(stepped, onNetwork);
    assertHeadMoved(stepped);
  }

  /** DL4J's own way: the frozen network fitted batch by batch, the same draws. */
  private static MultiLayerNetwork fittedFrozenNetwork(Augmentation augmentation) {
    MultiLayerNetwork net = frozenClassifier();
    Random draws = new Random(3);
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      for (int[] batch : TRAIN.shuffledBatches(BATCH, draws)) {
        net.fit(TRAIN.dataSet(batch, 10, augmentation, draws));
      }
    }
    return net;
  }

  /**
   * The same training to float rounding: the backbone copy's features differ from DL4J's by
   * ~1e-5 of their size (InferenceNetworkTest), which Adam turns into whole steps where a
   * feature sits at the ReLU's edge (a gradient of 1e-7 against none moves a weight by the full
   * learning rate), so parameters are compared against how far training moved them, and the
   * two networks must answer alike (probabilities within 0.01,
   * the same class for every image).
   */
  private static void assertSameTraining(MultiLayerNetwork actualNet, MultiLayerNetwork expectedNet) {
    MultiLayerNetwork untrained = frozenClassifier();
    for (int layer = 0; layer < expectedNet.getLayers().length; layer++) {
      if (expectedNet.getLayer(layer).numParams() == 0) {
        continue;
      }
      INDArray expected = expectedNet.getLayer(layer).params();
      double difference = actualNet.getLayer(layer).params().sub(expected).amaxNumber().doubleValue();
      double moved = expected.sub(untrained.getLayer(layer).params()).amaxNumber().doubleValue();
      assertThat(difference).as("layer %d, moved by up to %s", layer, moved)
          .isLessThanOrEqualTo(0.05 * moved);
    }
    INDArray images = TRAIN.features(IntStream.range(0, TRAIN.size()).toArray());
    INDArray expected = expectedNet.output(images, false);
    INDArray actual = actualNet.output(images, false);
    assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-2);
    assertThat(actual.argMax(1)).isEqualTo(expected.argMax(1));
  }

  /** Training moved the head: the comparison is not of two untouched networks. */
  private static void assertHeadMoved(MultiLayerNetwork trained) {
    assertThat(trained.getLayer(HEAD_LAYER).params()
        .equalsWithEps(frozenClassifier().getLayer(HEAD_LAYER).params(), 1e-4))
        .isFalse();
  }

  private static MultiLayerNetwork frozenClassifier() {
    MultiLayerNetwork classifier = Networks.classifier(SPEC, 10, 1e-3, 1);
    Networks.copyBackbone(SPEC, ROTATION, classifier);
    return Networks.withFrozenBackbone(SPEC, classifier, 1e-3, 1);
  }
}
