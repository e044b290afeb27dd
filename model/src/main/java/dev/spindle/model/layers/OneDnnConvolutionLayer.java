package dev.spindle.model.layers;

import dev.spindle.model.onednn.ConvolutionTraining;
import dev.spindle.model.onednn.OneDnn;
import dev.spindle.model.runtime.Dl4jRuntime;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A convolution whose forward and backward passes run as oneDNN primitives called directly
 * ({@link ConvolutionTraining}) on DL4J's arrays: DL4J M2.1's helper for the same primitives
 * shared a batch between two threads poorly, and the parts {@link SplitConvolutionLayer} runs
 * instead each use one thread. The case it handles is {@link #plainSameConvolution}'s, on the
 * CPU backend with oneDNN {@link OneDnn#available}; anything else runs as a {@link
 * SplitConvolutionLayer}. The same results as DL4J's layer to float rounding.
 */
public class OneDnnConvolutionLayer extends SplitConvolutionLayer {
  private ConvolutionTraining passes;
  /** The input of the last forward pass run here (null: the split layer's code ran). */
  private INDArray forwardInput;

  public OneDnnConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** Whether the last forward pass ran on oneDNN directly (for tests). */
  boolean ranLastBatch() {
    return forwardInput != null;
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    if (!supported(input)) {
      forwardInput = null;
      return super.activate(training, workspaceMgr);
    }
    INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
        new long[] {input.size(0), layerConf().getNOut(), input.size(2), input.size(3)}, 'c');
    passes().forward(FloatArrays.buffer(input), buffer(ConvolutionParamInitializer.WEIGHT_KEY),
        buffer(ConvolutionParamInitializer.BIAS_KEY), FloatArrays.buffer(output),
        (int) input.size(0), (int) input.size(2), (int) input.size(3));
    forwardInput = input;
    return output;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    if (forwardInput != input) { // null: the split layer's code ran forward
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    INDArray delta = FloatArrays.contiguousOrCopy(epsilon);
    INDArray inputGrad = workspaceMgr.createUninitialized(
        ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    passes().backward(FloatArrays.buffer(input), true,
        buffer(ConvolutionParamInitializer.WEIGHT_KEY), FloatArrays.buffer(delta),
        FloatArrays.buffer(inputGrad),
        FloatArrays.buffer(gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY)),
        FloatArrays.buffer(gradientViews.get(ConvolutionParamInitializer.BIAS_KEY)),
        (int) input.size(0), (int) input.size(2), (int) input.size(3));
    return filledGradients(inputGrad);
  }

  private boolean supported(INDArray x) {
    return Dl4jRuntime.onCpu() && OneDnn.available() && plainSameConvolution(x)
        && FloatArrays.contiguous(getParam(ConvolutionParamInitializer.WEIGHT_KEY))
        && FloatArrays.dense(getParam(ConvolutionParamInitializer.BIAS_KEY));
  }

  private java.nio.FloatBuffer buffer(String param) {
    return FloatArrays.buffer(getParam(param));
  }

  private ConvolutionTraining passes() {
    if (passes == null) {
      var conf = layerConf();
      passes = new ConvolutionTraining(
          (int) conf.getNIn(), (int) conf.getNOut(), conf.getKernelSize());
    }
    return passes;
  }
}
