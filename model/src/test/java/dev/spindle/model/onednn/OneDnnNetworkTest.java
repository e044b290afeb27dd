package dev.spindle.model.onednn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.model.runtime.Dl4jRuntime;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * oneDNN plans against DL4J's own forward pass, on channels-first networks (the inference copy's
 * channels-last case is {@code InferenceNetworkTest}'s): the same outputs to float rounding.
 */
class OneDnnNetworkTest {

  @BeforeAll
  static void oneDnnHere() {
    Dl4jRuntime.init();
    assumeTrue(!OneDnn.turnedOff(), "turned off");
  }

  /** The jars carry oneDNN for this platform: on the CPU backend the plans must load. */
  @Test
  void shouldLoadOneDnnOnTheCpuBackend() {
    assumeTrue(Dl4jRuntime.onCpu(), "ND4J runs on " + Dl4jRuntime.backend());

    assertThat(OneDnn.unavailable()).isEmpty();
  }

  @Test
  void shouldMatchDl4jForBatchesThatTakeSeveralPlansOrOne() {
    MultiLayerNetwork net = network(true);
    OneDnnNetwork plan = OneDnnNetwork.compile(net).orElseThrow();

    int largest = OneDnnNetwork.LARGEST_PLAN;
    for (int n : new int[] {1, 2, 5, largest, 2 * largest + 3}) {
      INDArray images = Nd4j.rand(DataType.FLOAT, n, 1, 28, 28);
      INDArray out = plan.output(images);

      assertThat(out.shape()).containsExactly(n, 10);
      assertClose(out, net.output(images, false), 1e-5);
      assertThat(out.sum(1).minNumber().doubleValue()).as("softmax rows").isCloseTo(1, within());
    }
  }

  @Test
  void shouldGiveTheLastFeatureMapsChannelsLastWhenTheNetworkEndsInThem() {
    MultiLayerNetwork net = network(false);
    OneDnnNetwork plan = OneDnnNetwork.compile(net).orElseThrow();
    INDArray images = Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28);

    INDArray maps = plan.output(images);

    INDArray expected = net.output(images, false); // NCHW
    assertThat(maps.shape()).containsExactly(3, expected.size(2), expected.size(3), 8);
    assertClose(maps.permute(0, 3, 1, 2), expected, 1e-4);
  }

  @Test
  void shouldRebuildItsPlansForImagesOfAnotherSize() {
    MultiLayerNetwork net = network(false);
    OneDnnNetwork plan = OneDnnNetwork.compile(net).orElseThrow();

    for (int side : new int[] {28, 20, 28}) {
      INDArray images = Nd4j.rand(DataType.FLOAT, 4, 1, side, side);
      assertClose(plan.output(images).permute(0, 3, 1, 2), net.output(images, false), 1e-4);
    }
    plan.close();
  }

  @Test
  void shouldGiveEachCopyPlansOfItsOwnWithTheSameWeights() {
    MultiLayerNetwork net = network(true);
    OneDnnNetwork plan = OneDnnNetwork.compile(net).orElseThrow();
    INDArray images = Nd4j.rand(DataType.FLOAT, 6, 1, 28, 28);

    assertClose(plan.copy().output(images), plan.output(images), 0);
  }

  @Test
  void shouldKeepWeightsOutsideTheJavaHeapInRowMajorOrderReadOnly() {
    INDArray w = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(3, 4);

    java.nio.FloatBuffer kept = LayerSpec.offHeap(w.transpose());

    assertThat(kept.isDirect()).isTrue();
    assertThat(kept.isReadOnly()).isTrue();
    float[] values = new float[kept.capacity()];
    kept.get(0, values);
    assertThat(values).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
  }

  @Test
  void shouldNotCompileANetworkWithALayerItDoesNotRun() {
    MultiLayerNetwork withBatchNorm = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .seed(1).dataType(DataType.FLOAT).list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY).build())
        .layer(new BatchNormalization.Builder().build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
            .activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutional(8, 8, 1)).build());
    withBatchNorm.init();
    MultiLayerNetwork tanh = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .seed(1).dataType(DataType.FLOAT).list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build())
        .setInputType(InputType.convolutional(8, 8, 1)).build());
    tanh.init();

    assertThat(OneDnnNetwork.compile(withBatchNorm)).isEmpty();
    assertThat(OneDnnNetwork.compile(tanh)).isEmpty();
  }

  /**
   * Channels-first: conv (Same, ReLU) -> max pool -> conv (Truncate, padding 1, stride 2,
   * identity), then, {@code withHead}, flatten -> dense (ReLU) -> softmax output.
   */
  private static MultiLayerNetwork network(boolean withHead) {
    var list = new NeuralNetConfiguration.Builder()
        .seed(3).dataType(DataType.FLOAT).weightInit(WeightInit.RELU).biasInit(0.1)
        .list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).convolutionMode(ConvolutionMode.Same)
            .activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
            .build())
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).stride(2, 2).padding(1, 1)
            .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build());
    if (withHead) {
      list.layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
          .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
              .activation(Activation.SOFTMAX).build());
    }
    MultiLayerNetwork net = new MultiLayerNetwork(
        list.setInputType(InputType.convolutional(28, 28, 1)).build());
    net.init();
    return net;
  }

  private static void assertClose(INDArray actual, INDArray expected, double tolerance) {
    assertThat(actual.shape()).containsExactly(expected.shape());
    double scale = Math.max(1, expected.amaxNumber().doubleValue());
    assertThat(actual.sub(expected).amaxNumber().doubleValue())
        .isLessThanOrEqualTo(tolerance * scale);
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-5);
  }
}
