package dev.spindle.model;

import dev.spindle.model.layers.FloatArrays;
import java.util.Arrays;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

/**
 * The dense layers at the end of an inference copy (the classifier's hidden layer and its
 * output), computed in Java for a few images at a time. For one image DL4J spent ~0.45 ms of
 * a ~1.9 ms forward pass in these two layers, for ~0.4 M multiply-adds: OpenBLAS's sgemm packs
 * the whole 3136 x 128 weight matrix on every call, and each layer has its fixed cost. Here each
 * input row's weights are their own array, so the loop {@code h[j] += x[i] * w[i][j]} runs on
 * vector instructions, and inputs that are zero (most, after a ReLU) are skipped. Larger
 * batches stay with DL4J, where one matrix product serves the whole batch.
 */
final class DenseTail {
  private final float[][][] weights;
  private final float[][] biases;
  private final Function[] functions;

  private enum Function { IDENTITY, RELU, SOFTMAX }

  private DenseTail(float[][][] weights, float[][] biases, Function[] functions) {
    this.weights = weights;
    this.biases = biases;
    this.functions = functions;
  }

  /**
   * Where the tail of {@code network} starts: the index of the first of the dense and output
   * layers that end it, if they can run here (identity, ReLU or, last, softmax activations; no
   * preprocessor but a flatten before the first). Empty when the network has no such tail or
   * is nothing but one.
   */
  static Optional<Integer> start(MultiLayerNetwork network) {
    int first = network.getnLayers();
    while (first > 0 && dense(network, first - 1)) {
      first--;
    }
    if (first == 0 || first == network.getnLayers()) {
      return Optional.empty();
    }
    for (int i = first; i < network.getnLayers(); i++) {
      InputPreProcessor pre = network.getLayerWiseConfigurations().getInputPreProcess(i);
      boolean flatten = i == first && pre instanceof CnnToFeedForwardPreProcessor;
      Optional<Function> function = function(network, i);
      if ((pre != null && !flatten) || function.isEmpty()
          || (function.get() == Function.SOFTMAX && i != network.getnLayers() - 1)) {
        return Optional.empty();
      }
    }
    return Optional.of(first);
  }

  /** The layers of {@code network} from {@code first} on (see {@link #start}), as they are now. */
  static DenseTail of(MultiLayerNetwork network, int first) {
    int count = network.getnLayers() - first;
    float[][][] weights = new float[count][][];
    float[][] biases = new float[count][];
    Function[] functions = new Function[count];
    for (int l = 0; l < count; l++) {
      Layer layer = network.getLayer(first + l);
      weights[l] = FloatArrays.rows(layer.getParam("W"));
      biases[l] = FloatArrays.values(layer.getParam("b"));
      functions[l] = function(network, first + l).orElseThrow();
    }
    return new DenseTail(weights, biases, functions);
  }

  /** How many values each image's input has. */
  int inputs() {
    return weights[0].length;
  }

  /** The tail's output for each image's input values (flattened as the first layer expects). */
  float[][] apply(float[][] inputs) {
    float[][] out = new float[inputs.length][];
    int[] nonZero = new int[Arrays.stream(weights).mapToInt(w -> w.length).max().orElse(0)];
    for (int b = 0; b < inputs.length; b++) {
      float[] x = inputs[b];
      for (int l = 0; l < weights.length; l++) {
        x = layer(l, x, nonZero);
      }
      out[b] = x;
    }
    return out;
  }

  /**
   * Layer {@code l}'s output for input {@code x}: {@code h += x[i] * w[i]} over the inputs that
   * are not zero, four rows a pass, so each pass loads and stores {@code h} once for four
   * multiply-adds.
   */
  private float[] layer(int l, float[] x, int[] nonZero) {
    float[][] w = weights[l];
    float[] h = biases[l].clone();
    int count = 0;
    for (int i = 0; i < w.length; i++) {
      if (x[i] != 0) {
        nonZero[count++] = i;
      }
    }
    int k = 0;
    for (; k + 4 <= count; k += 4) {
      float x0 = x[nonZero[k]];
      float x1 = x[nonZero[k + 1]];
      float x2 = x[nonZero[k + 2]];
      float x3 = x[nonZero[k + 3]];
      float[] w0 = w[nonZero[k]];
      float[] w1 = w[nonZero[k + 1]];
      float[] w2 = w[nonZero[k + 2]];
      float[] w3 = w[nonZero[k + 3]];
      for (int j = 0; j < h.length; j++) {
        h[j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
      }
    }
    for (; k < count; k++) {
      float xi = x[nonZero[k]];
      float[] row = w[nonZero[k]];
      for (int j = 0; j < h.length; j++) {
        h[j] += xi * row[j];
      }
    }
    activate(functions[l], h);
    return h;
  }

  private static void activate(Function function, float[] h) {
    switch (function) {
      case RELU -> {
        for (int j = 0; j < h.length; j++) {
          h[j] = Math.max(h[j], 0f);
        }
      }
      case SOFTMAX -> {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : h) {
          max = Math.max(max, v);
        }
        double sum = 0;
        for (int j = 0; j < h.length; j++) {
          h[j] = (float) Math.exp(h[j] - max);
          sum += h[j];
        }
        for (int j = 0; j < h.length; j++) {
          h[j] /= (float) sum;
        }
      }
      case IDENTITY -> { }
    }
  }

  private static boolean dense(MultiLayerNetwork network, int index) {
    var conf = network.getLayerWiseConfigurations().getConf(index).getLayer();
    return conf instanceof DenseLayer || conf instanceof OutputLayer;
  }

  private static Optional<Function> function(MultiLayerNetwork network, int index) {
    var conf = network.getLayerWiseConfigurations().getConf(index).getLayer();
    boolean biased = conf instanceof DenseLayer dense ? dense.hasBias()
        : conf instanceof BaseOutputLayer output && output.hasBias();
    if (!biased) {
      return Optional.empty();
    }
    BaseLayer base = (BaseLayer) conf;
    IActivation fn = base.getActivationFn();
    if (fn instanceof ActivationReLU relu && plainRelu(relu)) {
      return Optional.of(Function.RELU);
    }
    if (fn instanceof ActivationIdentity) {
      return Optional.of(Function.IDENTITY);
    }
    return fn instanceof ActivationSoftmax ? Optional.of(Function.SOFTMAX) : Optional.empty();
  }

  /** A ReLU without DL4J's optional cap, threshold or negative slope. */
  private static boolean plainRelu(ActivationReLU relu) {
    return relu.getMax() == null && zeroOrUnset(relu.getThreshold())
        && zeroOrUnset(relu.getNegativeSlope());
  }

  private static boolean zeroOrUnset(Double value) {
    return value == null || value == 0.0;
  }
}
