package dev.spindle.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The configuration of a network's first convolution (few input channels, no gradient wanted
 * for the input) whose channels-first case runs in {@link JavaInputConvolutionLayer}. A
 * {@link ConvolutionLayer} in every other respect: same parameters, same JSON but for the class.
 */
public class JavaInputConvolution extends OwnConvolution {

  /** For JSON deserialisation; {@link #of} for code. */
  public JavaInputConvolution() {
    super();
  }

  private JavaInputConvolution(ConvolutionLayer.Builder builder) {
    super(builder);
  }

  /** The layer {@code builder} describes (validated as its own {@code build()} would). */
  public static JavaInputConvolution of(ConvolutionLayer.Builder builder) {
    builder.build();
    return new JavaInputConvolution(builder);
  }

  @Override
  Layer layer(NeuralNetConfiguration conf, DataType networkDataType) {
    return new JavaInputConvolutionLayer(conf, networkDataType);
  }
}
