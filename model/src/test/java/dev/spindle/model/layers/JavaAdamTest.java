package dev.spindle.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class JavaAdamTest {

  /** 300 x 250 + 250 x 7 weights: more than one block, split over threads, a partial block. */
  private static MultiLayerNetwork mlp(IUpdater updater) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .seed(3).dataType(DataType.FLOAT).updater(updater).list()
        .layer(new DenseLayer.Builder().nIn(300).nOut(250).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(250).nOut(7)
            .activation(Activation.SOFTMAX).build())
        .build());
    net.init();
    return net;
  }

  @Test
  void shouldTrainAsDl4jsAdamDoes() {
    MultiLayerNetwork dl4j = mlp(new Adam(1e-2));
    MultiLayerNetwork java = mlp(new JavaAdam(1e-2));
    Nd4j.getRandom().setSeed(5);
    DataSet batch = new DataSet(Nd4j.randn(DataType.FLOAT, 32, 300),
        Nd4j.eye(7).castTo(DataType.FLOAT).repeat(0, 5).getRows(IntStream.range(0, 32).toArray()));

    for (int step = 0; step < 20; step++) {
      dl4j.fit(batch);
      java.fit(batch);
    }

    assertThat(java.getUpdater().getClass()).isEqualTo(dl4j.getUpdater().getClass());
    assertThat(java.params().equalsWithEps(dl4j.params(), 1e-5)).isTrue();
    assertThat(java.getUpdater().getStateViewArray()
        .equalsWithEps(dl4j.getUpdater().getStateViewArray(), 1e-6)).isTrue();
    assertThat(java.score()).isCloseTo(dl4j.score(), org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void shouldStayJavaAdamThroughJsonClonesAndSavedModels() throws Exception {
    MultiLayerNetwork net = mlp(new JavaAdam(2e-3));
    net.fit(new DataSet(Nd4j.rand(DataType.FLOAT, 4, 300), Nd4j.eye(7).getRows(0, 1, 2, 3)
        .castTo(DataType.FLOAT)));

    MultiLayerConfiguration fromJson =
        MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
    ByteArrayOutputStream saved = new ByteArrayOutputStream();
    ModelSerializer.writeModel(net, saved, true);
    MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(
        new ByteArrayInputStream(saved.toByteArray()), true);

    for (MultiLayerConfiguration conf : new MultiLayerConfiguration[] {fromJson,
        net.clone().getLayerWiseConfigurations(), restored.getLayerWiseConfigurations()}) {
      IUpdater updater = ((BaseLayer) conf.getConf(0).getLayer()).getIUpdater();
      assertThat(updater).isInstanceOf(JavaAdam.class);
      assertThat(updater.getLearningRate(0, 0)).isEqualTo(2e-3);
    }
    assertThat(restored.getUpdater().getStateViewArray())
        .isEqualTo(net.getUpdater().getStateViewArray());
  }

  @Test
  void shouldUseEpsilonAsTheStepWhereTheBiasCorrectionIsNotFinite() {
    assertThat(JavaAdamUpdater.stepSize(0, 0.9f, 0.999f, 1e-8f, 0)).isEqualTo(1e-8f);
    assertThat(JavaAdamUpdater.stepSize(1e-3, 0.9f, 0.999f, 1e-8f, 0))
        .isCloseTo((float) (1e-3 * Math.sqrt(0.001) / 0.1),
            org.assertj.core.data.Offset.offset(1e-8f)); // 0.999f is not 0.999
  }
}
