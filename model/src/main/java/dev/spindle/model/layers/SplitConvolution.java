package dev.spindle.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The configuration of a convolution whose larger channels-first batches run as parts side by
 * side ({@link SplitConvolutionLayer}). A {@link ConvolutionLayer} in every other respect: same
 * parameters, same JSON but for the class.
 */
public class SplitConvolution extends OwnConvolution {

  /** For JSON deserialisation; {@link #of} for code. */
  public SplitConvolution() {
    super();
  }

  SplitConvolution(ConvolutionLayer.Builder builder) {
    super(builder);
  }

  /** The layer {@code builder} describes (validated as its own {@code build()} would). */
  public static SplitConvolution of(ConvolutionLayer.Builder builder) {
    builder.build();
    return new SplitConvolution(builder);
  }

  @Override
  Layer layer(NeuralNetConfiguration conf, DataType networkDataType) {
    return new SplitConvolutionLayer(conf, networkDataType);
  }
}
