package dev.spindle.model.layers;

import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A DL4J convolution layer whose backward pass this package computes ({@link OwnConvolution}). */
abstract class OwnConvolutionLayer extends ConvolutionLayer {

  OwnConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /**
   * Whether this layer and {@code x} are the case this package's convolutions compute: stride
   * 1, no dilation, DL4J's Same mode with an odd kernel, channels-first, a bias, identity
   * activation, no dropout or weight noise, and a contiguous float input of {@code nIn}
   * channels.
   */
  boolean plainSameConvolution(INDArray x) {
    var conf = layerConf();
    int[] kernel = conf.getKernelSize();
    return conf.getConvolutionMode() == ConvolutionMode.Same
        && conf.getCnn2dDataFormat() == CNN2DFormat.NCHW
        && Arrays.equals(conf.getStride(), new int[] {1, 1})
        && Arrays.equals(conf.getDilation(), new int[] {1, 1})
        && kernel.length == 2 && kernel[0] % 2 == 1 && kernel[1] % 2 == 1
        && conf.hasBias()
        && conf.getActivationFn() instanceof ActivationIdentity
        && conf.getIDropout() == null && conf.getWeightNoise() == null
        && x.rank() == 4 && x.size(1) == conf.getNIn()
        && FloatArrays.contiguous(x);
  }

  /**
   * The backward pass's result once the weight and bias gradient views are filled, as DL4J's
   * own layer reports it, with {@code inputGradient} (null: none computed).
   */
  Pair<Gradient, INDArray> filledGradients(INDArray inputGradient) {
    Gradient gradient = new DefaultGradient();
    gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY,
        gradientViews.get(ConvolutionParamInitializer.BIAS_KEY));
    gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY,
        gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), 'c');
    weightNoiseParams.clear();
    return new Pair<>(gradient, inputGradient);
  }
}
