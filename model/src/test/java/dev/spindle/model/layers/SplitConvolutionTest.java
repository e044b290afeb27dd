package dev.spindle.model.layers;

import static dev.spindle.model.layers.TestConvolutions.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.runtime.Dl4jRuntime;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SplitConvolutionTest {

  @Test
  void shouldConvolveAndBackpropagateInPartsAsDl4jDoesInOne() {
    Nd4j.getRandom().setSeed(1);
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 37, 5, 9, 9), 3); // parts of unequal size
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 64, 32, 14, 14), 3);
    assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 16, 3, 6, 11), 5);
  }

  @Test
  void shouldGiveTheSameResultsOnOneThreadWhereItDoesNotSplit() {
    Nd4j.getRandom().setSeed(2);
    Dl4jRuntime.onThreads(1, () -> {
      assertSameAsDl4j(Nd4j.rand(DataType.FLOAT, 32, 4, 8, 8), 3);
      return null;
    });
  }

  @Test
  void shouldBuildEveryConvolutionButTheFirstAsOne() {
    var net = Networks.rotationNet(NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 1e-3, 1);

    assertThat(net.getLayers()).filteredOn(l -> l instanceof SplitConvolutionLayer).hasSize(3);
    assertThat(net.getLayer(0)).isInstanceOf(JavaInputConvolutionLayer.class);
  }


  private static void assertSameAsDl4j(INDArray input, int kernel) {
    int channels = (int) input.size(1);
    Layer ours = conv(true, channels, kernel);
    ours.getParam("b").assign(Nd4j.randn(DataType.FLOAT, ours.getParam("b").shape()));
    Layer theirs = conv(false, channels, kernel);
    theirs.setParams(ours.params().dup());
    TestConvolutions.assertSamePasses(ours, theirs, input,
        () -> assertThat(((SplitConvolutionLayer) ours).splitLastBatch())
            .isEqualTo(Dl4jRuntime.threadsHere() >= 2));
  }

  /** A conv layer (ours or DL4J's) at index 1 of a network. */
  private static Layer conv(boolean split, int channels, int kernel) {
    ConvolutionLayer.Builder builder = builder(channels, kernel);
    return TestConvolutions.instantiate(split ? SplitConvolution.of(builder) : builder.build(), 1);
  }
}
