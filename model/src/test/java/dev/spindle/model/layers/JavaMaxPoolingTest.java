package dev.spindle.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class JavaMaxPoolingTest {
  private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

  static Layer instantiate(org.deeplearning4j.nn.conf.layers.Layer layer, ConvolutionMode mode) {
    NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder()
        .dataType(DataType.FLOAT).convolutionMode(mode).layer(layer).build();
    return conf.getLayer().instantiate(conf, List.of(), 0, null, true, DataType.FLOAT);
  }

  private static Layer dl4j(ConvolutionMode mode) {
    return instantiate(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
        .kernelSize(2, 2).stride(2, 2).build(), mode);
  }

  private static void assertSameAsDl4j(INDArray input, ConvolutionMode mode) {
    Layer ours = instantiate(JavaMaxPooling.named("pool"), mode);
    Layer theirs = dl4j(mode);
    ours.setInput(input, NO_WORKSPACES);
    theirs.setInput(input, NO_WORKSPACES);

    INDArray out = ours.activate(true, NO_WORKSPACES);
    INDArray expected = theirs.activate(true, NO_WORKSPACES);
    INDArray upstream = Nd4j.randn(DataType.FLOAT, expected.shape());
    INDArray dx = ours.backpropGradient(upstream, NO_WORKSPACES).getSecond();
    INDArray expectedDx = theirs.backpropGradient(upstream, NO_WORKSPACES).getSecond();

    assertThat(out).isEqualTo(expected);
    assertThat(dx).isEqualTo(expectedDx);
  }

  @Test
  void shouldPoolAndRouteGradientsExactlyAsDl4jsSubsampling() {
    Nd4j.getRandom().setSeed(1);
    assertSameAsDl4j(Nd4j.randn(DataType.FLOAT, 3, 5, 6, 8), ConvolutionMode.Same);
    assertSameAsDl4j(Nd4j.randn(DataType.FLOAT, 64, 32, 28, 28), ConvolutionMode.Same);
  }

  @Test
  void shouldSendTheGradientOfATiedWindowToItsFirstMaximum() {
    // ReLU outputs tie at 0 all the time; where the gradient goes must not be arbitrary
    INDArray input = Nd4j.zeros(DataType.FLOAT, 1, 1, 2, 2);
    Layer ours = instantiate(JavaMaxPooling.named("pool"), ConvolutionMode.Same);
    ours.setInput(input, NO_WORKSPACES);
    ours.activate(true, NO_WORKSPACES);

    INDArray dx = ours.backpropGradient(Nd4j.ones(DataType.FLOAT, 1, 1, 1, 1), NO_WORKSPACES)
        .getSecond();

    assertThat(dx.reshape(4).toFloatVector()).containsExactly(1f, 0f, 0f, 0f);
  }

  @Test
  void shouldLeaveOddSizesToDl4j() {
    Nd4j.getRandom().setSeed(2);
    assertSameAsDl4j(Nd4j.randn(DataType.FLOAT, 2, 3, 7, 7), ConvolutionMode.Same);
    assertSameAsDl4j(Nd4j.randn(DataType.FLOAT, 2, 3, 7, 7), ConvolutionMode.Truncate);
  }

  @Test
  void shouldPoolAFewChannelsLastImagesForInferenceAsDl4jDoes() {
    Nd4j.getRandom().setSeed(3);
    JavaMaxPooling conf = JavaMaxPooling.named("pool");
    conf.setCnn2dDataFormat(CNN2DFormat.NHWC);
    Layer ours = instantiate(conf, ConvolutionMode.Same);
    Layer theirs = instantiate(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
        .kernelSize(2, 2).stride(2, 2).dataFormat(CNN2DFormat.NHWC).build(),
        ConvolutionMode.Same);
    for (INDArray input : List.of(Nd4j.randn(DataType.FLOAT, 1, 28, 28, 32),
        Nd4j.randn(DataType.FLOAT, 2, 6, 4, 64), Nd4j.randn(DataType.FLOAT, 64, 14, 14, 64))) {
      ours.setInput(input, NO_WORKSPACES);
      theirs.setInput(input, NO_WORKSPACES);

      assertThat(ours.activate(false, NO_WORKSPACES))
          .isEqualTo(theirs.activate(false, NO_WORKSPACES));
    }
  }
}
