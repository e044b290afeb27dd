package dev.spindle.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.layers.LayerConversion;
import dev.spindle.model.layers.OneDnnConvolution;
import dev.spindle.model.layers.SplitConvolution;
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
  void shouldRectifyTheOutputOfEveryBlock() {
    // conv -> BN -> ReLU like the peer, the ReLU inside the BatchNorm layer (DL4J's own
    // BatchNormalization accepts an activation but never applies it)
    MultiLayerNetwork net = Networks.classifier(lastBlock, 10, 1e-3, 1);
    for (boolean training : new boolean[] {false, true}) {
      var activations = net.feedForward(Nd4j.rand(4, 1, 28, 28).subi(0.5), training);
      int layer = 0;
      for (int block = 1; block <= lastBlock.blocks(); block++) {
        assertThat(net.getLayer(layer + 1).conf().getLayer().getLayerName())
            .isEqualTo("bn" + block);
        assertThat(activations.get(layer + 2).minNumber().doubleValue())
            .as("block %d, training %s", block, training).isGreaterThanOrEqualTo(0);
        layer += lastBlock.poolsAfter(block) ? 3 : 2;
      }
    }
  }

  @Test
  void shouldUpgradeANetworkSavedWithReluLayersOfItsOwnKeepingWhatItLearned() {
    MultiLayerNetwork legacy = LegacyNetworks.build(lastBlock, 4, 4, 5);
    Nd4j.getRandom().setSeed(6);
    var batch = new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(16, 1, 28, 28),
        Nd4j.eye(4).repeat(0, 4));
    legacy.fit(batch); // running statistics and Adam state away from their initial values

    MultiLayerNetwork upgraded = Networks.upgraded(legacy);
    MultiLayerNetwork fresh = Networks.rotationNet(lastBlock, 1e-3, 5);

    assertThat(upgraded.getLayerNames()).isEqualTo(fresh.getLayerNames());
    assertThat(upgraded.getLayerWiseConfigurations().getConfs().stream()
        .map(c -> c.getLayer().getClass()).toList())
        .isEqualTo(fresh.getLayerWiseConfigurations().getConfs().stream()
            .map(c -> c.getLayer().getClass()).toList());
    assertThat(upgraded.params()).isEqualTo(legacy.params());
    assertThat(upgraded.getLayerWiseConfigurations().getConf(0).getLayer())
        .extracting(l -> ((org.deeplearning4j.nn.conf.layers.BaseLayer) l).getIUpdater())
        .isInstanceOf(dev.spindle.model.layers.JavaAdam.class);
    assertThat(upgraded.getUpdater().getStateViewArray())
        .isEqualTo(legacy.getUpdater().getStateViewArray());
    INDArray input = Nd4j.rand(8, 1, 28, 28);
    assertThat(upgraded.output(input, false).equalsWithEps(legacy.output(input, false), 1e-5))
        .isTrue();
    assertThat(Networks.upgraded(upgraded)).isSameAs(upgraded);
    // the classifiers of today take its backbone
    Networks.copyBackbone(lastBlock, upgraded, Networks.classifier(lastBlock, 10, 1e-3, 1));
  }

  @Test
  void shouldUpgradeTheSplitConvolutionsOfLastMonthsNetworksToOneDnnOnes() {
    MultiLayerNetwork fresh = Networks.rotationNet(lastBlock, 1e-3, 7);
    var conf = fresh.getLayerWiseConfigurations().clone();
    for (var layer : conf.getConfs()) {
      if (layer.getLayer() instanceof OneDnnConvolution) {
        layer.setLayer(LayerConversion.as(layer.getLayer(), SplitConvolution.class));
      }
    }
    MultiLayerNetwork saved = new MultiLayerNetwork(conf);
    saved.init(fresh.params().dup(), false);

    MultiLayerNetwork upgraded = Networks.upgraded(saved);

    assertThat(upgraded.getLayerWiseConfigurations().getConfs().stream()
        .map(c -> c.getLayer().getClass()).toList())
        .isEqualTo(fresh.getLayerWiseConfigurations().getConfs().stream()
            .map(c -> c.getLayer().getClass()).toList());
    assertThat(upgraded.params()).isEqualTo(saved.params());
  }

  @Test
  void shouldTrainExactlyAsWithoutTheForwardCache() {
    MultiLayerNetwork cached = Networks.classifier(lastBlock, 10, 1e-3, 3);
    var conf = cached.getLayerWiseConfigurations().clone();
    conf.setCacheMode(org.deeplearning4j.nn.conf.CacheMode.NONE);
    for (int i = 0; i < conf.getConfs().size(); i++) {
      conf.getConf(i).setCacheMode(org.deeplearning4j.nn.conf.CacheMode.NONE);
    }
    MultiLayerNetwork uncached = new MultiLayerNetwork(conf);
    uncached.init(cached.params().dup(), true);
    Nd4j.getRandom().setSeed(4);
    var batch = new org.nd4j.linalg.dataset.DataSet(Nd4j.rand(16, 1, 28, 28),
        Nd4j.eye(16).getColumns(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));

    for (int step = 0; step < 3; step++) {
      cached.fit(batch);
      uncached.fit(batch);
    }

    assertThat(cached.getLayerWiseConfigurations().getCacheMode())
        .isEqualTo(org.deeplearning4j.nn.conf.CacheMode.DEVICE);
    assertThat(cached.params().equalsWithEps(uncached.params(), 1e-6)).isTrue();
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
