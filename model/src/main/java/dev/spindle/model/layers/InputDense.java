package dev.spindle.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configuration of a dense layer that trains as {@link InputDenseLayer}: its backward pass
 * reuses the forward pass's pre-activation, and as a network's first layer computes no input
 * gradient. A {@link DenseLayer} in every other respect (same parameters and settings).
 */
public class InputDense extends DenseLayer {

  /** For JSON deserialisation; {@link #of} for code. */
  public InputDense() {
    super();
  }

  /** {@code layer}'s settings, every one of them, in an InputDense. */
  public static InputDense of(DenseLayer layer) {
    return LayerConversion.as(layer, InputDense.class);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputDense && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    // DL4J's DenseLayer (Lombok) asks this before calling two layers equal
    return other instanceof InputDense;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + 2;
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
      boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNInNOutSet("DenseLayer", getLayerName(), layerIndex, getNIn(), getNOut());
    return Wiring.wire(new InputDenseLayer(conf, networkDataType), conf, trainingListeners,
        layerIndex, layerParamsView, initializeParams);
  }
}
