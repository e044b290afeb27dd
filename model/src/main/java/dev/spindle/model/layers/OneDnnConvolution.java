package dev.spindle.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The configuration of a convolution that trains through oneDNN called directly
 * ({@link OneDnnConvolutionLayer}), and otherwise as a {@link SplitConvolution}. A {@link
 * ConvolutionLayer} in every other respect: same parameters, same JSON but for the class.
 */
public class OneDnnConvolution extends SplitConvolution {

  /** For JSON deserialisation; {@link #of} for code. */
  public OneDnnConvolution() {
    super();
  }

  private OneDnnConvolution(ConvolutionLayer.Builder builder) {
    super(builder);
  }

  /** The layer {@code builder} describes (validated as its own {@code build()} would). */
  public static OneDnnConvolution of(ConvolutionLayer.Builder builder) {
    builder.build();
    return new OneDnnConvolution(builder);
  }

  @Override
  Layer layer(NeuralNetConfiguration conf, DataType networkDataType) {
    return new OneDnnConvolutionLayer(conf, networkDataType);
  }
}
