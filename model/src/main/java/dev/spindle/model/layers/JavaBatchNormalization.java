package dev.spindle.model.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configuration of a BatchNormalization layer whose channels-first training and inference
 * run in {@link JavaBatchNormalizationLayer}, optionally followed by a ReLU in the same passes
 * ({@link #isRectified()}). Same parameters as a {@link BatchNormalization}, so everything that
 * reads one reads this one; the ReLU is a property of its own because DL4J's BatchNormalization
 * keeps an activation function that it never applies (networks saved with it carry whatever
 * default was configured, often sigmoid).
 */
public class JavaBatchNormalization extends BatchNormalization {
  /** Whether max(0, .) follows the normalisation. */
  private boolean rectified;

  /** For JSON deserialisation; {@link #of} for code. */
  public JavaBatchNormalization() {
    super();
  }

  /** A layer named {@code name} with running-statistics {@code decay} and {@code eps}. */
  public static JavaBatchNormalization of(String name, double decay, double eps) {
    JavaBatchNormalization layer = new JavaBatchNormalization();
    layer.setLayerName(name);
    layer.setDecay(decay);
    layer.setEps(eps);
    return layer;
  }

  /** This layer with a ReLU after the normalisation. */
  public JavaBatchNormalization rectifying() {
    rectified = true;
    return this;
  }

  public boolean isRectified() {
    return rectified;
  }

  public void setRectified(boolean rectified) {
    this.rectified = rectified;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JavaBatchNormalization other && other.rectified == rectified
        && super.equals(o);
  }

  @Override
  protected boolean canEqual(Object other) {
    // DL4J's BatchNormalization (Lombok) asks this before calling two layers equal
    return other instanceof JavaBatchNormalization;
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + Boolean.hashCode(rectified);
  }

  @Override
  public Layer instantiate(NeuralNetConfiguration conf,
      Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
      boolean initializeParams, DataType networkDataType) {
    LayerValidation.assertNOutSet("BatchNormalization", getLayerName(), layerIndex, getNOut());
    return Wiring.wire(new JavaBatchNormalizationLayer(conf, networkDataType), conf,
        trainingListeners, layerIndex, layerParamsView, initializeParams);
  }
}
