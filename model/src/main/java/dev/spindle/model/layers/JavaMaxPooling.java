package dev.spindle.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configuration of a 2x2, stride-2 max-pooling layer whose channels-first case (and
 * channels-last inference on a few images) runs in {@link JavaMaxPoolingLayer}. A
 * {@link SubsamplingLayer} in every other respect.
 */
public class JavaMaxPooling extends SubsamplingLayer {

  /** For JSON deserialisation; {@link #named} for code. */
  public JavaMaxPooling() {
    super();
  }

  private JavaMaxPooling(SubsamplingLayer.Builder builder) {
    super(builder);
  }

  /** 2x2 max pooling with stride 2, named {@code name}. */
  public static JavaMaxPooling named(String name) {
    return new JavaMaxPooling(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
        .name(name).kernelSize(2, 2).stride(2, 2));
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
      boolean initializeParams, DataType networkDataType) {
    return Wiring.wire(new JavaMaxPoolingLayer(conf, networkDataType), conf,
        trainingListeners, layerIndex, layerParamsView, initializeParams);
  }
}
