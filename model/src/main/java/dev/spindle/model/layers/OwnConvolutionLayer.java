package dev.spindle.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A DL4J convolution layer whose backward pass this package computes ({@link OwnConvolution}). */
abstract class OwnConvolutionLayer extends ConvolutionLayer {

  OwnConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
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
