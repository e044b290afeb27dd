package dev.spindle.model.layers;

import static dev.spindle.model.layers.TestConvolutions.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.onednn.OneDnn;
import dev.spindle.model.runtime.Dl4jRuntime;
import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OneDnnConvolutionTest {

  @BeforeAll
  static void oneDnnHere() {
    Dl4jRuntime.init();
    assumeTrue(OneDnn.available(), () -> "oneDNN: " + OneDnn.unavailable().orElse(""));
  }

  @Test
  void shouldConvolveAndBackpropagateAsDl4jDoes() {
    Nd4j.getRandom().setSeed(1);
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 37, 5, 9, 9), 3);
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 64, 32, 14, 14), 3);
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 16, 3, 6, 11), 5);
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 1, 8, 7, 7), 3);
  }

  @Test
  void shouldGiveTheSameResultsOnOneThread() {
    Nd4j.getRandom().setSeed(2);
    Dl4jRuntime.onThreads(1, () -> {
      assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 32, 4, 8, 8), 3);
      return null;
    });
  }

  @Test
  void shouldKeepGivingDl4jsResultsAsShapesComeAndGoAndWeightsChange() {
    Nd4j.getRandom().setSeed(3);
    Layer ours = conv(true, 6, 3);
    Layer theirs = conv(false, 6, 3);
    // more shapes than are kept, then the first again, with new weights each time
    long[][] shapes = {{8, 6, 10, 10}, {3, 6, 10, 10}, {8, 6, 5, 7}, {2, 6, 4, 4}, {8, 6, 10, 10}};
    for (long[] shape : shapes) {
      ours.params().assign(Nd4j.randn(DataType.FLOAT, ours.params().shape()));
      theirs.setParams(ours.params().dup());
      assertSamePasses(ours, theirs, Nd4j.rand(DataType.FLOAT, shape));
    }
  }

  @Test
  void shouldBuildEveryConvolutionButTheFirstAsOne() {
    var net = Networks.rotationNet(NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 1e-3, 1);

    assertThat(net.getLayers()).filteredOn(l -> l instanceof OneDnnConvolutionLayer).hasSize(3);
    assertThat(net.getLayer(0)).isInstanceOf(JavaInputConvolutionLayer.class);
  }

  private static void assertSameAsDl4j(INDArray input, int kernel) {
    int channels = (int) input.size(1);
    Layer ours = conv(true, channels, kernel);
    ours.getParam("b").assign(Nd4j.randn(DataType.FLOAT, ours.getParam("b").shape()));
    Layer theirs = conv(false, channels, kernel);
    theirs.setParams(ours.params().dup());
    assertSamePasses(ours, theirs, input);
  }

  private static void assertSamePasses(Layer ours, Layer theirs, INDArray input) {
    TestConvolutions.assertSamePasses(ours, theirs, input,
        () -> assertThat(((OneDnnConvolutionLayer) ours).ranLastBatch()).isTrue());
  }

  /** A conv layer (ours or DL4J's) at index 1 of a network. */
  private static Layer conv(boolean oneDnn, int channels, int kernel) {
    var builder = builder(channels, kernel);
    return TestConvolutions.instantiate(
        oneDnn ? OneDnnConvolution.of(builder) : builder.build(), 1);
  }
}
