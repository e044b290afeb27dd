package dev.spindle.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BatchNormFoldingTest {

  @Test
  void shouldGiveTheTrainedNetworksInferenceOutputsWithoutBatchNormLayers() {
    NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 4);
    MultiLayerNetwork trained = Networks.classifier(spec, 10, 1e-3, 7);
    Nd4j.getRandom().setSeed(7);
    for (Layer layer : trained.getLayers()) {
      if (layer.conf().getLayer() instanceof BatchNormalization) {
        // statistics and affine parameters far from their initial 0 / 1, as after training
        layer.getParam("gamma").assign(Nd4j.rand(layer.getParam("gamma").shape()).addi(0.5));
        layer.getParam("beta").assign(Nd4j.randn(layer.getParam("beta").shape()).muli(0.3));
        layer.getParam("mean").assign(Nd4j.randn(layer.getParam("mean").shape()).muli(0.2));
        layer.getParam("log10stdev")
            .assign(Nd4j.rand(layer.getParam("log10stdev").shape()).subi(0.5).muli(0.6));
      }
    }
    INDArray images = Nd4j.rand(16, 1, 28, 28);
    INDArray expected = trained.output(images, false).dup();
    INDArray trainedParams = trained.params().dup();

    MultiLayerNetwork folded = BatchNormFolding.fold(trained);
    INDArray actual = folded.output(images, false);

    assertThat(Arrays.stream(folded.getLayers())
        .filter(l -> l.conf().getLayer() instanceof BatchNormalization)).isEmpty();
    assertThat(folded.getnLayers()).isEqualTo(trained.getnLayers() - 2 * spec.blocks());
    assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-4);
    assertThat(actual.argMax(1)).isEqualTo(expected.argMax(1));
    assertThat(trained.params()).as("the trained network is not changed").isEqualTo(trainedParams);
  }
}
