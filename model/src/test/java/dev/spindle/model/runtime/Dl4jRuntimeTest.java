package dev.spindle.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Fails when the M2.1 helper fix stops working: training would silently be ~7x slower. */
class Dl4jRuntimeTest {
  @Test
  void shouldRunEveryConvAndBatchNormLayerOnAOneDnnHelper() {
    Dl4jRuntime.init();
    MultiLayerNetwork net =
        Networks.rotationNet(NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 1e-3, 1);
    var labels = Nd4j.zeros(8, 4);
    labels.getColumn(0).assign(1);
    net.fit(new DataSet(Nd4j.rand(8, 1, 28, 28), labels));

    assertThat(Dl4jRuntime.backend()).isEqualToIgnoringCase("CPU");
    assertThat(Dl4jRuntime.layersWithoutHelper(net)).isEmpty();
    assertThat(Dl4jRuntime.activeHelpers(net)).isGreaterThanOrEqualTo(8);
  }
}
