package dev.spindle.model.layers;

import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The Adam updater configuration whose update runs in Java ({@link JavaAdamUpdater}): the same
 * settings, state layout (first moments, then second) and arithmetic as DL4J's {@link Adam},
 * so networks, checkpoints and updater state carry over either way.
 */
public class JavaAdam extends Adam {

  /** For JSON deserialisation; {@link #JavaAdam(double)} for code. */
  public JavaAdam() {
    super();
  }

  /** Adam at {@code learningRate} with the default betas and epsilon. */
  public JavaAdam(double learningRate) {
    super(learningRate);
  }

  /** {@code adam}'s settings, learning-rate schedule included. */
  public static JavaAdam of(Adam adam) {
    JavaAdam copy = new JavaAdam();
    copy.setLearningRate(adam.getLearningRate());
    copy.setLearningRateSchedule(
        adam.getLearningRateSchedule() == null ? null : adam.getLearningRateSchedule().clone());
    copy.setBeta1(adam.getBeta1());
    copy.setBeta2(adam.getBeta2());
    copy.setEpsilon(adam.getEpsilon());
    return copy;
  }

  @Override
  public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
    JavaAdamUpdater updater = new JavaAdamUpdater(this);
    INDArray flat = viewArray.reshape(viewArray.length());
    long[] gradientShape = Arrays.copyOf(flat.shape(), 1);
    gradientShape[0] /= 2;
    updater.setStateViewArray(flat, gradientShape, flat.ordering(), initializeViewArray);
    return updater;
  }

  @Override
  public GradientUpdater instantiate(Map<String, INDArray> state, boolean initializeStateArrays) {
    JavaAdamUpdater updater = new JavaAdamUpdater(this);
    updater.setState(state, initializeStateArrays);
    return updater;
  }

  @Override
  public JavaAdam clone() {
    return of(this);
  }
}
