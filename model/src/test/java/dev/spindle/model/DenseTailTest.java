package dev.spindle.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class DenseTailTest {

  @Test
  void shouldStartAtTheFirstOfTheDenseLayersThatEndTheNetwork() {
    MultiLayerNetwork net = Networks.classifier(
        NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 10, 1e-3, 1);

    assertThat(DenseTail.start(net)).contains(net.getnLayers() - 2);
  }

  @Test
  void shouldLeaveActivationsItDoesNotComputeToDl4j() {
    assertThat(DenseTail.start(convThenDense(new ActivationReLU(), Activation.SOFTMAX)))
        .isPresent();
    assertThat(DenseTail.start(convThenDense(Activation.TANH.getActivationFunction(),
        Activation.SOFTMAX))).isEmpty();
    assertThat(DenseTail.start(convThenDense(new ActivationReLU(null, null, 0.1),
        Activation.SOFTMAX))).as("leaky ReLU").isEmpty();
    assertThat(DenseTail.start(convThenDense(new ActivationReLU(), Activation.SIGMOID))).isEmpty();
  }

  @Test
  void shouldNotApplyToANetworkOfDenseLayersOnly() {
    MultiLayerNetwork dense = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .dataType(DataType.FLOAT).list()
        .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
            .activation(Activation.SOFTMAX).build())
        .build());
    dense.init();

    assertThat(DenseTail.start(dense)).isEmpty();
  }

  private static MultiLayerNetwork convThenDense(
      org.nd4j.linalg.activations.IActivation hidden, Activation output) {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .dataType(DataType.FLOAT).list()
        .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).build())
        .layer(new DenseLayer.Builder().nOut(5).activation(hidden).build())
        .layer(new OutputLayer.Builder(output == Activation.SOFTMAX
            ? LossFunctions.LossFunction.MCXENT : LossFunctions.LossFunction.XENT)
            .nOut(3).activation(output).build())
        .setInputType(InputType.convolutional(6, 6, 1))
        .build());
    net.init();
    return net;
  }
}
