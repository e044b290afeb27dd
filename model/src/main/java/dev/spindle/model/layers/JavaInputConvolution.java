package dev.spindle.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configuration of a network's first convolution (few input channels, no gradient wanted
 * for the input) whose channels-first case runs in {@link JavaInputConvolutionLayer}. A
 * {@link ConvolutionLayer} in every other respect: same parameters, same JSON but for the class.
 */
public class JavaInputConvolution extends ConvolutionLayer {

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
  public boolean equals(Object o) {
    return o instanceof JavaInputConvolution && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    // DL4J's ConvolutionLayer (Lombok) asks this before calling two layers equal
    return other instanceof JavaInputConvolution;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + 1;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
      boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet("ConvolutionLayer", getLayerName(), layerIndex, getNIn(),
        getNOut());
    return Wiring.wire(new JavaInputConvolutionLayer(conf, networkDataType), conf,
        trainingListeners, layerIndex, layerParamsView, initializeParams);
  }
}
