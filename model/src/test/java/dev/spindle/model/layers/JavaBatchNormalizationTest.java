package dev.spindle.model.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.LegacyNetworks;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.runtime.Dl4jRuntime;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class JavaBatchNormalizationTest {
  private final NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 4);

  private static DataSet batch(int rows, int classes, long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray labels = Nd4j.zeros(rows, classes);
    for (int i = 0; i < rows; i++) {
      labels.putScalar(i, i % classes, 1);
    }
    // shifted and scaled so the batch statistics are far from the initial running ones
    return new DataSet(Nd4j.rand(rows, 1, 28, 28).muli(3).addi(2), labels);
  }

  @Test
  void shouldBuildTheDefaultNetworksWithTheJavaBatchNorm() {
    MultiLayerNetwork net = Networks.classifier(spec, 10, 1e-3, 1);
    assertThat(net.getLayer(1)).isInstanceOf(JavaBatchNormalizationLayer.class);
    // conv and pooling keep their oneDNN helpers
    assertThat(Dl4jRuntime.activeHelpers(net)).isPositive();
  }

  /** 3 channels: the Java loops; 16: oneDNN's blocked kernels (where oneDNN loads). */
  @ParameterizedTest
  @ValueSource(ints = {3, 16})
  void shouldMatchTheBatchNormGradientsComputedInDoublePrecision(int channels) {
    matchesDoublePrecision(false, channels);
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 16})
  void shouldMatchTheBatchNormAndReluGradientsComputedInDoublePrecision(int channels) {
    matchesDoublePrecision(true, channels);
  }

  private static void matchesDoublePrecision(boolean rectified, int channels) {
    int n = 8;
    int plane = 10 * 10;
    NeuralNetConfiguration conf = channelConf(channels, rectified);
    Layer layer = conf.getLayer().instantiate(conf, null, 0, Nd4j.zeros(1, 4 * channels), true,
        org.nd4j.linalg.api.buffer.DataType.FLOAT);
    layer.setBackpropGradientsViewArray(Nd4j.zeros(1, 4 * channels));
    float[] gamma = new float[channels];
    float[] beta = new float[channels];
    for (int c = 0; c < channels; c++) {
      gamma[c] = new float[] {0.5f, 1.5f, -2f}[c % 3] * (1 + c / 3);
      beta[c] = new float[] {0.1f, -0.2f, 0.3f}[c % 3] * (1 + c / 3);
    }
    layer.setParam("gamma", Nd4j.createFromArray(gamma).reshape(1, channels));
    layer.setParam("beta", Nd4j.createFromArray(beta).reshape(1, channels));
    Nd4j.getRandom().setSeed(9);
    INDArray x = Nd4j.rand(n, channels, 10, 10).muli(4).addi(3);
    INDArray upstream = Nd4j.randn(n, channels, 10, 10);
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    layer.setInput(x, mgr);

    INDArray y = layer.activate(true, mgr);
    Pair<Gradient, INDArray> back = layer.backpropGradient(upstream, mgr);

    float[] in = x.data().asFloat();
    float[] g = upstream.data().asFloat();
    float[] out = y.data().asFloat();
    float[] dx = back.getSecond().data().asFloat();
    for (int c = 0; c < channels; c++) {
      double mean = 0;
      for (int s = 0; s < n; s++) {
        for (int i = 0; i < plane; i++) {
          mean += in[(s * channels + c) * plane + i];
        }
      }
      mean /= n * plane;
      double var = 0;
      for (int s = 0; s < n; s++) {
        for (int i = 0; i < plane; i++) {
          double d = in[(s * channels + c) * plane + i] - mean;
          var += d * d;
        }
      }
      var /= n * plane;
      double invStd = 1 / Math.sqrt(var + 1e-5);
      // float rounding grows with the channel's gamma (up to 12 here)
      double scale = Math.max(1, Math.abs(gamma[c]));
      double dBeta = 0;
      double dGamma = 0;
      double[] gate = new double[in.length];
      for (int s = 0; s < n; s++) {
        for (int i = 0; i < plane; i++) {
          int j = (s * channels + c) * plane + i;
          double xHat = (in[j] - mean) * invStd;
          double normalised = gamma[c] * xHat + beta[c];
          double expected = rectified ? Math.max(0, normalised) : normalised;
          assertThat((double) out[j])
              .isCloseTo(expected, within(1e-5 * scale));
          // the gradient reaching the normalisation: none where the ReLU cut
          gate[j] = rectified && normalised <= 0 ? 0 : g[j];
          dBeta += gate[j];
          dGamma += gate[j] * xHat;
        }
      }
      assertThat(back.getFirst().getGradientFor("beta").getDouble(c))
          .isCloseTo(dBeta, within(1e-4));
      assertThat(back.getFirst().getGradientFor("gamma").getDouble(c))
          .isCloseTo(dGamma, within(1e-4));
      for (int s = 0; s < n; s++) {
        for (int i = 0; i < plane; i++) {
          int j = (s * channels + c) * plane + i;
          double xHat = (in[j] - mean) * invStd;
          double expected =
              gamma[c] * invStd * (gate[j] - dBeta / (n * plane) - xHat * dGamma / (n * plane));
          assertThat((double) dx[j]).as("dx[%d]", j)
              .isCloseTo(expected, within(1e-5 * scale));
        }
      }
    }
  }

  private static NeuralNetConfiguration channelConf(int channels, boolean rectified) {
    JavaBatchNormalization bn = JavaBatchNormalization.of("bn", 0.9, 1e-5);
    bn.setRectified(rectified);
    bn.setNIn(channels);
    bn.setNOut(channels);
    return new NeuralNetConfiguration.Builder().layer(bn).build();
  }

  private static org.assertj.core.data.Offset<Double> within(double tolerance) {
    return org.assertj.core.data.Offset.offset(tolerance);
  }

  @Test
  void shouldNeverEqualDl4jsOwnBatchNormEitherWayRound() {
    var dl4j = new org.deeplearning4j.nn.conf.layers.BatchNormalization();
    JavaBatchNormalization java = new JavaBatchNormalization();

    assertThat(dl4j).isNotEqualTo(java);
    assertThat(java).isNotEqualTo(dl4j);
    assertThat(java).isEqualTo(new JavaBatchNormalization());
    assertThat(java).isNotEqualTo(new JavaBatchNormalization().rectifying());
  }

  @Test
  void shouldGateTheReluGradientOnStrictlyPositiveOutputs() {
    assertThat(JavaBatchNormalizationLayer.positive(1e-30f)).isEqualTo(-1);
    assertThat(JavaBatchNormalizationLayer.positive(3f)).isEqualTo(-1);
    assertThat(JavaBatchNormalizationLayer.positive(Float.MAX_VALUE)).isEqualTo(-1);
    assertThat(JavaBatchNormalizationLayer.positive(0f)).isZero();
    assertThat(JavaBatchNormalizationLayer.positive(-0f)).isZero();
    assertThat(JavaBatchNormalizationLayer.positive(-1e-30f)).isZero();
    assertThat(JavaBatchNormalizationLayer.positive(-3f)).isZero();
  }

  @Test
  void shouldTrainAndTrackRunningStatisticsAsDl4jsLayersDo() {
    MultiLayerNetwork theirs = LegacyNetworks.build(spec, 4, 4, 3);
    MultiLayerNetwork ours = Networks.upgraded(theirs.clone());
    assertThat(ours.getLayer(1)).isInstanceOf(JavaBatchNormalizationLayer.class);
    DataSet data = batch(32, 4, 6);

    for (int step = 0; step < 5; step++) {
      ours.fit(data);
      theirs.fit(data);
    }

    // not bit-equal: Adam turns the float noise in the gradients of the conv biases before
    // each BatchNorm (zero in exact arithmetic) into full-size steps
    for (String param : new String[] {"mean", "log10stdev"}) {
      INDArray a = ours.getLayer("bn1").getParam(param);
      INDArray b = theirs.getLayer("bn1").getParam(param);
      assertThat(a.sub(b).amaxNumber().doubleValue()).as(param).isLessThan(5e-3);
    }
    // ... and a ReLU input within rounding of 0 may pass on one side and not on the other: on
    // oneDNN's path (32 and 64 channels here) one such element of 200k changed a beta gradient
    // by 2% in the first step, which Adam carries on
    INDArray test = batch(8, 4, 7).getFeatures();
    INDArray a = ours.output(test, false);
    INDArray b = theirs.output(test, false);
    assertThat(a.sub(b).amaxNumber().doubleValue()).isLessThan(5e-2);
  }

  @Test
  void shouldSurviveTheModelZip() throws Exception {
    MultiLayerNetwork net = Networks.classifier(spec, 10, 1e-3, 4);
    net.fit(batch(16, 10, 5));
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    ModelSerializer.writeModel(net, zip, true);
    MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(
        new ByteArrayInputStream(zip.toByteArray()), true);

    assertThat(loaded.getLayer(1)).isInstanceOf(JavaBatchNormalizationLayer.class);
    assertThat(loaded.getLayer(0)).as("the first convolution too")
        .isInstanceOf(JavaInputConvolutionLayer.class);
    INDArray input = batch(4, 10, 8).getFeatures();
    assertThat(loaded.output(input, false).equalsWithEps(net.output(input, false), 1e-6)).isTrue();
  }
}
