package dev.spindle.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InputDenseTest {
  private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

  @Test
  void shouldComputeDl4jsGradientsWithoutAnInputGradientAsTheFirstLayer() {
    Pair<Pair<Gradient, INDArray>, Pair<Gradient, INDArray>> both = backprop(0, true);

    assertSameParameterGradients(both.getFirst().getFirst(), both.getSecond().getFirst());
    assertThat(both.getFirst().getSecond()).isNull();
  }

  @Test
  void shouldComputeDl4jsInputGradientElsewhere() {
    Pair<Pair<Gradient, INDArray>, Pair<Gradient, INDArray>> both = backprop(1, true);

    assertSameParameterGradients(both.getFirst().getFirst(), both.getSecond().getFirst());
    assertClose(both.getFirst().getSecond(), both.getSecond().getSecond(), "input gradient");
  }

  @Test
  void shouldLeaveABackwardPassWithoutItsTrainingForwardPassToDl4j() {
    Pair<Pair<Gradient, INDArray>, Pair<Gradient, INDArray>> both = backprop(0, false);

    assertSameParameterGradients(both.getFirst().getFirst(), both.getSecond().getFirst());
    assertThat(both.getFirst().getSecond()).as("DL4J's own code ran").isNotNull();
  }

  @Test
  void shouldNeverEqualDl4jsOwnDenseLayerEitherWayRound() {
    DenseLayer theirs = new DenseLayer.Builder().nIn(4).nOut(3).build();
    InputDense ours = InputDense.of(theirs);

    assertThat(ours).isNotEqualTo(theirs);
    assertThat(theirs).isNotEqualTo(ours);
    assertThat(ours).isEqualTo(InputDense.of(theirs)).hasSameHashCodeAs(InputDense.of(theirs));
    assertThat(ours.getNOut()).isEqualTo(3);
  }

  /** Ours and DL4J's backward passes, same parameters and input, at {@code index}. */
  private static Pair<Pair<Gradient, INDArray>, Pair<Gradient, INDArray>> backprop(
      int index, boolean trainingForward) {
    Nd4j.getRandom().setSeed(2);
    DenseLayer conf = new DenseLayer.Builder().nIn(300).nOut(16)
        .activation(Activation.RELU).build();
    Layer ours = instantiate(InputDense.of(conf), index);
    Layer theirs = instantiate(conf, index);
    ours.getParam("b").assign(Nd4j.randn(DataType.FLOAT, ours.getParam("b").shape()));
    theirs.setParams(ours.params().dup());
    INDArray input = Nd4j.randn(DataType.FLOAT, 32, 300);
    ours.setInput(input, NO_WORKSPACES);
    theirs.setInput(input, NO_WORKSPACES);
    assertClose(ours.activate(trainingForward, NO_WORKSPACES),
        theirs.activate(trainingForward, NO_WORKSPACES), "output");
    INDArray upstream = Nd4j.randn(DataType.FLOAT, 32, 16);
    return new Pair<>(ours.backpropGradient(upstream.dup(), NO_WORKSPACES),
        theirs.backpropGradient(upstream.dup(), NO_WORKSPACES));
  }

  private static void assertSameParameterGradients(Gradient actual, Gradient expected) {
    assertThat(actual.gradientForVariable().keySet())
        .containsExactlyElementsOf(expected.gradientForVariable().keySet());
    for (String key : expected.gradientForVariable().keySet()) {
      assertClose(actual.getGradientFor(key), expected.getGradientFor(key), key);
    }
  }

  private static void assertClose(INDArray actual, INDArray expected, String what) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    assertThat(actual.sub(expected).amaxNumber().doubleValue()).as(what)
        .isLessThan(1e-5 * Math.max(1, expected.amaxNumber().doubleValue()));
  }

  private static Layer instantiate(DenseLayer layer, int index) {
    NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder()
        .dataType(DataType.FLOAT).seed(3).layer(layer).build();
    long n = conf.getLayer().initializer().numParams(conf);
    Layer out = conf.getLayer().instantiate(
        conf, List.of(), index, Nd4j.create(DataType.FLOAT, 1, n), true, DataType.FLOAT);
    out.setBackpropGradientsViewArray(Nd4j.create(DataType.FLOAT, 1, n));
    return out;
  }
}
