package dev.spindle.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.model.layers.FloatArrays;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
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
import dev.spindle.model.onednn.OneDnn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Both ways an inference copy runs, each against the trained network's DL4J outputs: as a oneDNN
 * plan (where oneDNN is available, as on the CI machine) and on DL4J's layers (the fallback).
 */
class InferenceNetworkTest {

  @ParameterizedTest(name = "oneDNN plan: {0}")
  @ValueSource(booleans = {true, false})
  void shouldGiveTheTrainedNetworksInferenceOutputsWithBatchNormFoldedAndChannelsLast(
      boolean oneDnn) {
    NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 4);
    MultiLayerNetwork trained = trainedLooking(Networks.classifier(spec, 10, 1e-3, 7));
    INDArray images = Nd4j.rand(16, 1, 28, 28);
    INDArray expected = trained.output(images, false).dup();
    INDArray trainedParams = trained.params().dup();

    InferenceNetwork inference = copy(trained, oneDnn);

    assertThat(inference.channelsLast()).isTrue();
    assertThat(Arrays.stream(inference.network().getLayers())
        .filter(l -> l.conf().getLayer() instanceof BatchNormalization)).isEmpty();
    assertThat(inference.network().getnLayers())
        .isEqualTo(trained.getnLayers() - spec.blocks());
    assertSameOutputs(inference.output(images), expected);
    assertSameOutputs(inference.copy().output(images), expected);
    assertThat(trained.params()).as("the trained network is not changed").isEqualTo(trainedParams);
  }

  @ParameterizedTest(name = "oneDNN plan: {0}")
  @ValueSource(booleans = {true, false})
  void shouldAnswerAFewImagesThroughTheJavaDenseLayersAsManyThroughDl4js(boolean oneDnn) {
    MultiLayerNetwork trained = trainedClassifier(8);
    InferenceNetwork inference = copy(trained, oneDnn);

    for (int n : new int[] {1, 3, InferenceNetwork.SMALL_BATCH, InferenceNetwork.SMALL_BATCH + 1}) {
      INDArray images = Nd4j.rand(n, 1, 28, 28);
      INDArray probabilities = inference.output(images);

      assertThat(probabilities.shape()).containsExactly(n, 10);
      assertSameOutputs(probabilities, trained.output(images, false));
    }
  }

  @ParameterizedTest(name = "oneDNN plan: {0}")
  @ValueSource(booleans = {true, false})
  void shouldAnswerImagesInAJavaArrayAsTheSameImagesInAnNd4jArray(boolean oneDnn) {
    MultiLayerNetwork trained = trainedClassifier(10);
    InferenceNetwork inference = copy(trained, oneDnn);

    for (int n : new int[] {1, 5, 64, 70}) {
      INDArray images = Nd4j.rand(n, 1, 28, 28);
      float[][] rows = inference.outputRows(InputShape.FASHION_MNIST,
          FloatArrays.values(images), n);

      assertThat(rows).hasNumberOfRows(n);
      assertSameOutputs(Nd4j.create(rows), trained.output(images, false));
    }
  }

  @ParameterizedTest(name = "oneDNN plan: {0}")
  @ValueSource(booleans = {true, false})
  void shouldAnswerABatchSplitIntoPartsOnSeveralThreadsAsInOne(boolean oneDnn) {
    MultiLayerNetwork trained = trainedClassifier(9);
    InferenceNetwork inference = copy(trained, oneDnn);
    INDArray images = Nd4j.rand(37, 1, 28, 28); // parts of unequal size wherever it splits

    INDArray expected = trained.output(images, false);

    assertSameOutputs(inference.output(images), expected);
    assertSameOutputs(inference.output(images), expected); // the parts' copies, kept
    assertSameOutputs(dev.spindle.model.runtime.Dl4jRuntime.onThreads(1,
        () -> inference.output(images)), expected);
  }

  @ParameterizedTest(name = "oneDNN plan: {0}")
  @ValueSource(booleans = {true, false})
  void shouldFoldANetworkSavedWithReluLayersOfItsOwn(boolean oneDnn) {
    NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 4);
    MultiLayerNetwork trained = trainedLooking(LegacyNetworks.build(spec, 4, 10, 6));
    INDArray images = Nd4j.rand(8, 1, 28, 28);

    InferenceNetwork inference = copy(trained, oneDnn);

    assertThat(inference.network().getnLayers())
        .isEqualTo(trained.getnLayers() - 2 * spec.blocks());
    assertSameOutputs(inference.output(images), trained.output(images, false));
  }

  @ParameterizedTest(name = "oneDNN plan: {0}")
  @ValueSource(booleans = {true, false})
  void shouldMatchAnEarlierCutWhereTheHeadFollowsAnUnpooledBlock(boolean oneDnn) {
    NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 3);
    MultiLayerNetwork trained = trainedLooking(Networks.classifier(spec, 10, 1e-3, 3));
    INDArray images = Nd4j.rand(8, 1, 28, 28);

    assertSameOutputs(copy(trained, oneDnn).output(images), trained.output(images, false));
  }

  @ParameterizedTest(name = "oneDNN plan: {0}")
  @ValueSource(booleans = {true, false})
  void shouldMatchForColourImagesOfAnotherSize(boolean oneDnn) {
    NetworkSpec spec = NetworkSpec.forInput(new InputShape(3, 40, 32), 4);
    MultiLayerNetwork trained = trainedLooking(Networks.classifier(spec, 5, 1e-3, 5));
    INDArray images = Nd4j.rand(4, 3, 40, 32);

    InferenceNetwork inference = copy(trained, oneDnn);

    assertThat(inference.channelsLast()).isTrue();
    assertSameOutputs(inference.output(images), trained.output(images, false));
  }

  @ParameterizedTest(name = "oneDNN plan: {0}")
  @ValueSource(booleans = {true, false})
  void shouldGiveAFrozenBackbonesActivationsAsChannelsFirstRows(boolean oneDnn) {
    NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 4);
    MultiLayerNetwork frozen = Networks.withFrozenBackbone(spec,
        trainedLooking(Networks.classifier(spec, 10, 1e-3, 4)), 1e-3, 4);
    int backbone = Networks.backboneLayers(spec, spec.cutBlock());
    INDArray images = Nd4j.rand(8, 1, 28, 28);
    INDArray activations = frozen.feedForwardToLayer(backbone - 1, images, false).get(backbone);

    InferenceNetwork layers = InferenceNetwork.ofFirst(frozen, backbone, oneDnn);

    assertThat(layers.channelsLast()).isTrue();
    assertThat(layers.network().getnLayers()).isEqualTo(backbone - spec.blocks());
    INDArray rows = layers.features(images);
    assertThat(rows.shape()).containsExactly(8, activations.length() / 8);
    // activations, not probabilities: float rounding, which grows layer by layer (here ~1e-5
    // of the largest activation after one block, ~4e-5 after four), relative to their size
    double largest = activations.amaxNumber().doubleValue();
    assertThat(rows.sub(activations.reshape('c', 8, -1)).amaxNumber().doubleValue())
        .as("largest activation %s", largest).isLessThan(1e-4 * largest);
  }

  /**
   * oneDNN has no average pooling with padding, which DL4J's Same mode gives a 9 x 9 input: the
   * plan fails on the first input, and that copy and one made before it answer through DL4J's
   * layers, each building them then.
   */
  @Test
  void shouldAnswerThroughDl4jsLayersOnceItsPlanFailsOnAnInput() {
    assumeTrue(OneDnn.available(), "no oneDNN here");
    MultiLayerNetwork trained = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .seed(5).dataType(DataType.FLOAT).weightInit(WeightInit.RELU).list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
            .activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2)
            .convolutionMode(ConvolutionMode.Same).build())
        .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
            .activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutional(9, 9, 1)).build());
    trained.init();
    InferenceNetwork inference = copy(trained, true);
    InferenceNetwork copied = inference.copy();
    INDArray images = Nd4j.rand(DataType.FLOAT, 3, 1, 9, 9);

    assertSameOutputs(inference.output(images), trained.output(images, false));
    assertThat(inference.onOneDnn()).isFalse();
    float[][] rows = copied.outputRows(new InputShape(1, 9, 9), FloatArrays.values(images), 3);
    assertSameOutputs(Nd4j.create(rows), trained.output(images, false));
    assertThat(copied.onOneDnn()).isFalse();
  }

  @Test
  void shouldRefuseALayerCountOutsideTheNetwork() {
    MultiLayerNetwork net = Networks.classifier(NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 10, 1e-3, 1);

    assertThatThrownBy(() -> InferenceNetwork.ofFirst(net, net.getnLayers() + 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer count");
    assertThatThrownBy(() -> InferenceNetwork.ofFirst(net, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** The inference copy of {@code trained}, as a oneDNN plan or on DL4J's layers. */
  private static InferenceNetwork copy(MultiLayerNetwork trained, boolean oneDnn) {
    InferenceNetwork copy = InferenceNetwork.ofFirst(trained, trained.getnLayers(), oneDnn);
    assertThat(copy.onOneDnn()).isEqualTo(oneDnn && OneDnn.available());
    return copy;
  }

  /** The default Fashion-MNIST classifier (cut 4, 10 classes), {@link #trainedLooking}. */
  private static MultiLayerNetwork trainedClassifier(long seed) {
    return trainedLooking(Networks.classifier(
        NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 10, 1e-3, seed));
  }

  /** BatchNorm statistics and affine parameters far from their initial 0 / 1, as after training. */
  private static MultiLayerNetwork trainedLooking(MultiLayerNetwork net) {
    Nd4j.getRandom().setSeed(7);
    for (Layer layer : net.getLayers()) {
      if (layer.conf().getLayer() instanceof BatchNormalization) {
        layer.getParam("gamma").assign(Nd4j.rand(layer.getParam("gamma").shape()).addi(0.5));
        layer.getParam("beta").assign(Nd4j.randn(layer.getParam("beta").shape()).muli(0.3));
        layer.getParam("mean").assign(Nd4j.randn(layer.getParam("mean").shape()).muli(0.2));
        layer.getParam("log10stdev")
            .assign(Nd4j.rand(layer.getParam("log10stdev").shape()).subi(0.5).muli(0.6));
      }
    }
    return net;
  }

  private static void assertSameOutputs(INDArray actual, INDArray expected) {
    assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-4);
    assertThat(actual.argMax(1)).isEqualTo(expected.argMax(1));
  }
}
