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
 * A convolution configuration whose layer is one of this package's (a subclass of DL4J's
 * convolution layer): a {@link ConvolutionLayer} in every other respect, same parameters, same
 * JSON but for the class, and never equal to a configuration of another class.
 */
abstract class OwnConvolution extends ConvolutionLayer {

  OwnConvolution() {
    super();
  }

  OwnConvolution(ConvolutionLayer.Builder builder) {
    super(builder);
  }

  /** The layer this configuration describes. */
  abstract Layer layer(NeuralNetConfiguration conf, DataType networkDataType);

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    // DL4J's ConvolutionLayer (Lombok) asks this before calling two layers equal
    return other != null && other.getClass() == getClass();
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + getClass().getName().hashCode();
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
      boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet("ConvolutionLayer", getLayerName(), layerIndex, getNIn(),
        getNOut());
    return Wiring.wire(layer(conf, networkDataType), conf, trainingListeners, layerIndex,
        layerParamsView, initializeParams);
  }
}
