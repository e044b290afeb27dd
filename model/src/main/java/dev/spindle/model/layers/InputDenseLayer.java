package dev.spindle.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's DenseLayer without two of its four matrix products per training step. DL4J's backward
 * pass computes the layer's forward product (input x weights) a second time, for the
 * activation's derivative, and always the gradient for its input, which a network drops at its
 * first layer (the head trained on cached backbone features, where the layer's input is
 * 3,136 features wide). This layer keeps the pre-activation of its training forward pass (a
 * copy outside DL4J's workspaces) and uses it in the backward pass for the same input; at
 * index 0 it returns no input gradient. Layer norm, dropout, weight noise and a backward pass
 * without its forward go to DL4J's own code.
 */
public class InputDenseLayer extends DenseLayer {
  /** The pre-activation of the last training forward pass, and the input it was for. */
  private INDArray preActivation;
  private INDArray preActivationFor;

  public InputDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  private boolean handles() {
    var conf = layerConf();
    return !hasLayerNorm() && conf.getIDropout() == null && conf.getWeightNoise() == null;
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    preActivationFor = null;
    if (!training || !handles()) {
      return super.activate(training, workspaceMgr);
    }
    INDArray z = preOutput(true, workspaceMgr);
    try (MemoryWorkspace outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      if (preActivation == null || !preActivation.equalShapes(z)
          || preActivation.dataType() != z.dataType()) {
        preActivation = z.dup('c');
      } else {
        preActivation.assign(z);
      }
    }
    preActivationFor = input;
    INDArray out = layerConf().getActivationFn().getActivation(z, true);
    if (maskArray != null) {
      applyMask(out);
    }
    return out;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    if (preActivationFor == null || preActivationFor != input) {
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    preActivationFor = null; // the activation's backprop may overwrite it: one use only
    INDArray delta = layerConf().getActivationFn().backprop(preActivation, epsilon).getFirst();
    if (maskArray != null) {
      applyMask(delta);
    }
    Gradient gradient = new DefaultGradient();
    if (hasBias()) {
      INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
      delta.sum(biasGrad, 0);
      gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
    }
    INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
    Nd4j.gemm(input.castTo(weightGrad.dataType()), delta, weightGrad, true, false, 1.0, 0.0);
    gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
    INDArray epsilonNext = null;
    if (getIndex() != 0) {
      INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
      epsilonNext = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
          new long[] {w.size(0), delta.size(0)}, 'f');
      epsilonNext = w.mmuli(delta.transpose(), epsilonNext).transpose();
    }
    weightNoiseParams.clear();
    return new Pair<>(gradient, epsilonNext);
  }
}
