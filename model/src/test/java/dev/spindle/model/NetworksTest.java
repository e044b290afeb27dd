package dev.spindle.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NetworksTest {
  private final NetworkSpec lastBlock = NetworkSpec.forInput(InputShape.FASHION_MNIST, 4);

  @Test
  void shouldMatchThePeerNetworkParameterCount() {
    // the PyTorch peer: 468,202 trainable + 384 BatchNorm running statistics
    assertThat(Networks.classifier(lastBlock, 10, 1e-3, 1).numParams()).isEqualTo(468_586);
  }

  @Test
  void shouldPoolTheDefaultNetworkToSevenBySevenForFashionMnist() {
    assertThat(lastBlock.poolAfter()).containsExactly(false, true, false, true);
    NetworkSpec camera = NetworkSpec.forInput(new InputShape(3, 64, 64), 2);
    assertThat(camera.poolAfter()).containsExactly(true, true, true, true);
  }

  @Test
  void shouldCarryTheBackboneIntoAClassifierCutAtAnyBlock() {
    for (int cut = 1; cut <= 4; cut++) {
      NetworkSpec spec = lastBlock.withCut(cut);
      MultiLayerNetwork rotation = Networks.rotationNet(spec, 1e-3, 7);
      MultiLayerNetwork classifier = Networks.classifier(spec, 10, 1e-3, 8);
      Networks.copyBackbone(spec, rotation, classifier);

      INDArray input = Nd4j.rand(2, 1, 28, 28);
      int layers = Networks.backboneLayers(spec, cut);
      INDArray fromRotation = rotation.feedForwardToLayer(layers - 1, input, false).get(layers);
      INDArray fromClassifier =
          classifier.feedForwardToLayer(layers - 1, input, false).get(layers);
      assertThat(fromClassifier.equalsWithEps(fromRotation, 1e-6)).isTrue();
    }
  }
}
