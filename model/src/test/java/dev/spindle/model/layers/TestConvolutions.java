package dev.spindle.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Convolution layers (this package's or DL4J's) to compare, and how they are compared. */
final class TestConvolutions {
  private TestConvolutions() {}

  /** 3x3 or 5x5, 8 outputs, stride 1, bias, no activation: what this package's layers handle. */
  static ConvolutionLayer.Builder builder(int channels, int kernel) {
    return new ConvolutionLayer.Builder(kernel, kernel).nIn(channels).nOut(8).stride(1, 1)
        .hasBias(true).activation(Activation.IDENTITY);
  }

  /** {@code layer} at {@code index} of a network ("same" mode), with parameter, gradient views. */
  static Layer instantiate(ConvolutionLayer layer, int index) {
    NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder()
        .dataType(DataType.FLOAT).convolutionMode(ConvolutionMode.Same).seed(3)
        .layer(layer).build();
    long n = conf.getLayer().initializer().numParams(conf);
    Layer instance = conf.getLayer().instantiate(
        conf, List.of(), index, Nd4j.create(DataType.FLOAT, 1, n), true, DataType.FLOAT);
    instance.setBackpropGradientsViewArray(Nd4j.create(DataType.FLOAT, 1, n));
    return instance;
  }

  /**
   * {@code ours} and {@code theirs} (same parameters) give the same output, input gradient and
   * parameter gradients for {@code input} and a random upstream gradient of 8 channels;
   * {@code afterForward} checks {@code ours} between the passes.
   */
  static void assertSamePasses(Layer ours, Layer theirs, INDArray input, Runnable afterForward) {
    LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
    ours.setInput(input, none);
    theirs.setInput(input, none);

    assertClose(ours.activate(true, none), theirs.activate(true, none), "output");
    afterForward.run();

    INDArray upstream = Nd4j.randn(DataType.FLOAT, input.size(0), 8, input.size(2),
        input.size(3));
    Pair<Gradient, INDArray> mine = ours.backpropGradient(upstream, none);
    Pair<Gradient, INDArray> dl4j = theirs.backpropGradient(upstream, none);
    assertClose(mine.getSecond(), dl4j.getSecond(), "input gradient");
    assertClose(mine.getFirst().getGradientFor("W"), dl4j.getFirst().getGradientFor("W"), "W");
    assertClose(mine.getFirst().getGradientFor("b"), dl4j.getFirst().getGradientFor("b"), "b");
    assertThat(mine.getFirst().gradientForVariable().keySet())
        .containsExactlyInAnyOrderElementsOf(dl4j.getFirst().gradientForVariable().keySet());
  }

  /** Equal to float rounding, relative to the largest value. */
  static void assertClose(INDArray actual, INDArray expected, String what) {
    double largest = expected.amaxNumber().doubleValue();
    assertThat(actual.shape()).isEqualTo(expected.shape());
    assertThat(actual.sub(expected).amaxNumber().doubleValue())
        .as("%s, largest %s", what, largest).isLessThan(1e-5 * Math.max(1, largest));
  }
}
