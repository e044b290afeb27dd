package dev.spindle.model.layers;

import static dev.spindle.model.layers.TestConvolutions.assertClose;
import static dev.spindle.model.layers.TestConvolutions.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class JavaInputConvolutionTest {
  private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

  @Test
  void shouldConvolveAndComputeWeightAndBiasGradientsAsDl4jDoes() {
    Nd4j.getRandom().setSeed(1);
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28), 3);
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 64, 1, 28, 28), 3); // in parallel ranges
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 2, 3, 5, 7), 3); // colour, odd sizes
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 2, 2, 6, 9), 5);
  }

  @Test
  void shouldReturnNoInputGradientAsTheFirstLayer() {
    Layer ours = conv(true, 1, 3, 0);
    ours.setInput(Nd4j.rand(DataType.FLOAT, 2, 1, 8, 8), NO_WORKSPACES);
    INDArray out = ours.activate(true, NO_WORKSPACES);

    assertThat(ours.backpropGradient(out.dup(), NO_WORKSPACES).getSecond()).isNull();
  }

  @Test
  void shouldLeaveALayerThatIsNotTheFirstToDl4j() {
    // its input gradient is needed there, which this layer does not compute
    INDArray input = Nd4j.rand(DataType.FLOAT, 2, 1, 8, 8);
    Layer ours = conv(true, 1, 3, 1);
    Layer theirs = conv(false, 1, 3, 1);
    theirs.setParams(ours.params().dup());
    ours.setInput(input, NO_WORKSPACES);
    theirs.setInput(input, NO_WORKSPACES);
    INDArray upstream = Nd4j.randn(DataType.FLOAT, 2, 8, 8, 8);
    ours.activate(true, NO_WORKSPACES);
    theirs.activate(true, NO_WORKSPACES);

    assertThat(ours.backpropGradient(upstream, NO_WORKSPACES).getSecond())
        .isEqualTo(theirs.backpropGradient(upstream, NO_WORKSPACES).getSecond());
  }

  @Test
  void shouldBuildTheDefaultNetworksWithTheJavaInputConvolutionFirst() {
    var net = Networks.rotationNet(NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 1e-3, 1);

    assertThat(net.getLayer(0)).isInstanceOf(JavaInputConvolutionLayer.class);
    assertThat(net.getLayer(3)).isNotInstanceOf(JavaInputConvolutionLayer.class);
  }


  private static void assertSameAsDl4j(INDArray input, int kernel) {
    int channels = (int) input.size(1);
    Layer ours = conv(true, channels, kernel, 0);
    ours.getParam("b").assign(Nd4j.randn(DataType.FLOAT, ours.getParam("b").shape()));
    Layer theirs = conv(false, channels, kernel, 0);
    theirs.setParams(ours.params().dup());
    ours.setInput(input, NO_WORKSPACES);
    theirs.setInput(input, NO_WORKSPACES);

    INDArray out = ours.activate(true, NO_WORKSPACES);
    INDArray expected = theirs.activate(true, NO_WORKSPACES);
    assertClose(out, expected, "output");

    INDArray upstream = Nd4j.randn(DataType.FLOAT, expected.shape());
    Pair<Gradient, INDArray> mine = ours.backpropGradient(upstream, NO_WORKSPACES);
    Pair<Gradient, INDArray> dl4j = theirs.backpropGradient(upstream, NO_WORKSPACES);
    assertThat(mine.getSecond()).as("computed in Java: no input gradient").isNull();
    assertClose(mine.getFirst().getGradientFor("W"), dl4j.getFirst().getGradientFor("W"), "W");
    assertClose(mine.getFirst().getGradientFor("b"), dl4j.getFirst().getGradientFor("b"), "b");
    assertThat(mine.getFirst().gradientForVariable().keySet())
        .containsExactlyElementsOf(dl4j.getFirst().gradientForVariable().keySet());
  }

  /** A conv layer (ours or DL4J's) at {@code index} of a network. */
  private static Layer conv(boolean java, int channels, int kernel, int index) {
    ConvolutionLayer.Builder builder = builder(channels, kernel);
    return TestConvolutions.instantiate(
        java ? JavaInputConvolution.of(builder) : builder.build(), index);
  }
}
