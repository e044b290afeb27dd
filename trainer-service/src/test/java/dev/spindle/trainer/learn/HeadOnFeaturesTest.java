package dev.spindle.trainer.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.trainer.FashionMnistSample;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Stage 1 on cached backbone features is the same training as on the frozen network. */
class HeadOnFeaturesTest {
  private static final InputShape SHAPE = InputShape.FASHION_MNIST;
  private static final int EPOCHS = 3;
  private static final int BATCH = 16;

  @Test
  void shouldTrainTheHeadOnCachedFeaturesAsFittingTheFrozenNetworkDoes() throws Exception {
    NetworkSpec spec = NetworkSpec.forInput(SHAPE, 4);
    int headLayer = Networks.backboneLayers(spec, spec.cutBlock());
    // 70 examples in batches of 16: the last batch is partial, as in real stage-1 data
    Examples train = new Examples(SHAPE, FashionMnistSample.pixels(0, 70),
        FashionMnistSample.labels(0, 70));
    MultiLayerNetwork rotation = Networks.rotationNet(spec.withCut(spec.blocks()), 1e-3, 7);

    MultiLayerNetwork onNetwork = frozenClassifier(spec, rotation);
    Random draws = new Random(3);
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      for (int[] batch : train.shuffledBatches(BATCH, draws)) {
        onNetwork.fit(train.dataSet(batch, 10));
      }
    }
    MultiLayerNetwork onFeatures = frozenClassifier(spec, rotation);
    HeadOnFeatures.fit(onFeatures, headLayer, train, 10, EPOCHS, BATCH, 1, new Random(3),
        TwoStageTransfer.Progress.NONE);

    for (int layer = 0; layer < onNetwork.getLayers().length; layer++) {
      if (onNetwork.getLayer(layer).numParams() == 0) {
        continue;
      }
      INDArray expected = onNetwork.getLayer(layer).params();
      INDArray actual = onFeatures.getLayer(layer).params();
      assertThat(actual.equalsWithEps(expected, 1e-4))
          .as("layer %d: max difference %s", layer, actual.sub(expected).amax().getDouble(0))
          .isTrue();
    }
    // and training moved the head: the comparison is not of two untouched networks
    assertThat(onFeatures.getLayer(headLayer).params()
        .equalsWithEps(frozenClassifier(spec, rotation).getLayer(headLayer).params(), 1e-4))
        .isFalse();
  }

  private static MultiLayerNetwork frozenClassifier(NetworkSpec spec, MultiLayerNetwork rotation) {
    MultiLayerNetwork classifier = Networks.classifier(spec, 10, 1e-3, 1);
    Networks.copyBackbone(spec, rotation, classifier);
    return Networks.withFrozenBackbone(spec, classifier, 1e-3, 1);
  }
}
