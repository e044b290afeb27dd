package dev.spindle.model.onednn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.model.layers.FloatArrays;
import dev.spindle.model.runtime.Dl4jRuntime;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The oneDNN training operations on their own (their DL4J layers are compared with DL4J's in
 * the layers package): a backward pass after another input's forward pass, and arrays too
 * small for the shape.
 */
class TrainingOpsTest {

  @BeforeAll
  static void oneDnnHere() {
    Dl4jRuntime.init();
    assumeTrue(OneDnn.available(), () -> "oneDNN: " + OneDnn.unavailable().orElse(""));
  }

  @Test
  void shouldComputeBatchNormGradientsForAnInputOtherThanTheLastForwardPasss() {
    Nd4j.getRandom().setSeed(4);
    INDArray first = Nd4j.rand(DataType.FLOAT, 4, 8, 5, 5);
    INDArray second = Nd4j.rand(DataType.FLOAT, 4, 8, 5, 5).muli(3);
    INDArray gamma = Nd4j.rand(DataType.FLOAT, 8).addi(0.5);
    INDArray beta = Nd4j.randn(DataType.FLOAT, 8);
    INDArray upstream = Nd4j.randn(DataType.FLOAT, 4, 8, 5, 5);
    try (BatchNormTraining fresh = new BatchNormTraining(8, 1e-5, true);
        BatchNormTraining stale = new BatchNormTraining(8, 1e-5, true)) {
      float[][] expected = batchNorm(fresh, second, gamma, beta, upstream, second);
      float[][] actual = batchNorm(stale, first, gamma, beta, upstream, second);

      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).containsExactly(expected[i], within(1e-5f));
      }
    }
  }

  @Test
  void shouldComputeConvolutionGradientsForAnInputOtherThanTheLastForwardPasss() {
    Nd4j.getRandom().setSeed(5);
    INDArray first = Nd4j.rand(DataType.FLOAT, 3, 8, 6, 6);
    INDArray second = Nd4j.rand(DataType.FLOAT, 3, 8, 6, 6);
    INDArray weights = Nd4j.randn(DataType.FLOAT, 16, 8, 3, 3);
    INDArray bias = Nd4j.randn(DataType.FLOAT, 16);
    INDArray upstream = Nd4j.randn(DataType.FLOAT, 3, 16, 6, 6);
    try (ConvolutionTraining fresh = new ConvolutionTraining(8, 16, new int[] {3, 3});
        ConvolutionTraining stale = new ConvolutionTraining(8, 16, new int[] {3, 3})) {
      float[][] expected = convolution(fresh, second, weights, bias, upstream, second);
      float[][] actual = convolution(stale, first, weights, bias, upstream, second);

      for (int i = 0; i < expected.length; i++) {
        assertThat(actual[i]).containsExactly(expected[i], within(1e-5f));
      }
    }
  }

  @Test
  void shouldRefuseAnArrayTooSmallForTheShape() {
    try (ConvolutionTraining conv = new ConvolutionTraining(2, 4, new int[] {3, 3})) {
      FloatBuffer small = FloatBuffer.allocate(10);
      INDArray input = Nd4j.rand(DataType.FLOAT, 2, 2, 4, 4);
      INDArray weights = Nd4j.rand(DataType.FLOAT, 4, 2, 3, 3);

      assertThatThrownBy(() -> conv.forward(buffer(input), buffer(weights),
          buffer(Nd4j.zeros(DataType.FLOAT, 4)), small, 2, 4, 4))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("128 are needed");
    }
  }

  /** Forward on {@code forwardInput}, backward for {@code input}: input, gamma, beta grads. */
  private static float[][] batchNorm(BatchNormTraining op, INDArray forwardInput, INDArray gamma,
      INDArray beta, INDArray upstream, INDArray input) {
    INDArray out = Nd4j.create(DataType.FLOAT, input.shape());
    float[] mean = new float[8];
    float[] variance = new float[8];
    int[] shape = {(int) input.size(0), (int) input.size(2), (int) input.size(3)};
    op.forward(buffer(forwardInput), buffer(gamma), buffer(beta), buffer(out), mean, variance,
        shape[0], shape[1], shape[2]);
    INDArray grad = Nd4j.create(DataType.FLOAT, input.shape());
    float[] dGamma = new float[8];
    float[] dBeta = new float[8];
    op.backward(buffer(input), forwardInput == input, buffer(gamma), buffer(beta),
        buffer(upstream), buffer(grad), dGamma, dBeta, shape[0], shape[1], shape[2]);
    return new float[][] {grad.data().asFloat(), dGamma, dBeta};
  }

  /** Forward on {@code forwardInput}, backward for {@code input}: input, weight, bias grads. */
  private static float[][] convolution(ConvolutionTraining op, INDArray forwardInput,
      INDArray weights, INDArray bias, INDArray upstream, INDArray input) {
    int[] shape = {(int) input.size(0), (int) input.size(2), (int) input.size(3)};
    INDArray out = Nd4j.create(DataType.FLOAT, upstream.shape());
    op.forward(buffer(forwardInput), buffer(weights), buffer(bias), buffer(out), shape[0],
        shape[1], shape[2]);
    INDArray grad = Nd4j.create(DataType.FLOAT, input.shape());
    INDArray dWeights = Nd4j.create(DataType.FLOAT, weights.shape());
    INDArray dBias = Nd4j.create(DataType.FLOAT, bias.shape());
    op.backward(buffer(input), forwardInput == input, buffer(weights), buffer(upstream),
        buffer(grad), buffer(dWeights), buffer(dBias), shape[0], shape[1], shape[2]);
    return new float[][] {grad.data().asFloat(), dWeights.data().asFloat(),
        dBias.data().asFloat()};
  }

  private static FloatBuffer buffer(INDArray a) {
    return FloatArrays.buffer(a);
  }
}
