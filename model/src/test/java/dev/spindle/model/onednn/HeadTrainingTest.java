package dev.spindle.model.onednn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.model.layers.InputDense;
import dev.spindle.model.layers.JavaAdam;
import dev.spindle.model.runtime.Dl4jRuntime;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class HeadTrainingTest {

  @BeforeAll
  static void oneDnnHere() {
    Dl4jRuntime.init();
    assumeTrue(OneDnn.available(), () -> "oneDNN: " + OneDnn.unavailable().orElse(""));
  }

  /** Batches of 64 and a last one of 40, with and without per-example label weights. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void shouldTrainTheHeadAsDl4jsFitDoes(boolean weighted) {
    MultiLayerNetwork ours = head(false);
    MultiLayerNetwork theirs = head(false);
    HeadTraining step = HeadTraining.of(ours).orElseThrow();
    Nd4j.getRandom().setSeed(7);
    for (int i = 0; i < 6; i++) {
      DataSet batch = batch(i == 5 ? 40 : 64, weighted);
      step.fit(batch);
      theirs.fit(batch);

      assertThat(ours.score()).isCloseTo(theirs.score(), within(1e-5));
    }

    INDArray difference = ours.params().sub(theirs.params());
    assertThat(difference.amaxNumber().doubleValue()).isLessThan(1e-5);
    assertThat(ours.getIterationCount()).isEqualTo(theirs.getIterationCount());
  }

  @Test
  void shouldLeaveAnyOtherHeadToDl4j() {
    assertThat(HeadTraining.of(head(true))).isEmpty();
  }

  /** 300 features, 32 hidden units, 10 classes, Adam; {@code dropout}: one it cannot run. */
  private static MultiLayerNetwork head(boolean dropout) {
    DenseLayer.Builder hidden = new DenseLayer.Builder().nIn(300).nOut(32)
        .activation(Activation.RELU);
    if (dropout) {
      hidden.dropOut(0.5);
    }
    var conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
        .updater(new JavaAdam(1e-3)).weightInit(WeightInit.RELU).list()
        .layer(InputDense.of(hidden.build()))
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(10)
            .activation(Activation.SOFTMAX).build())
        .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static DataSet batch(int n, boolean weighted) {
    INDArray features = Nd4j.rand(DataType.FLOAT, n, 300);
    INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 10);
    for (int i = 0; i < n; i++) {
      labels.putScalar(i, (i * 7) % 10, 1);
    }
    INDArray mask = weighted ? Nd4j.rand(DataType.FLOAT, n, 1) : null;
    return new DataSet(features, labels, null, mask);
  }
}
