package dev.spindle.model.layers;

import dev.spindle.model.runtime.Dl4jRuntime;
import dev.spindle.model.runtime.Parts;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's ConvolutionLayer with a larger channels-first float32 batch split into parts that run
 * side by side, each on a thread of its own with one OpenMP thread, through the same oneDNN
 * operations DL4J's helper calls ({@code conv2d}, {@code conv2d_bp}): oneDNN shared one batch
 * between two OpenMP threads poorly. Each part writes its own rows of the output and of the
 * input gradient; the weight and bias gradients are the parts' sums. The same results as the
 * whole batch in one operation, to float rounding of those sums. Used where the calling thread
 * may use several OpenMP threads, for batches of at least {@value #MIN_PART} images a part,
 * stride 1, "same" padding, bias, no activation (a BatchNorm follows); anything else goes to
 * DL4J's own code.
 */
public class SplitConvolutionLayer extends OwnConvolutionLayer {
  /** The fewest images a part gets. */
  static final int MIN_PART = 8;

  /** The input the last forward pass split (null: DL4J's own code ran). */
  private INDArray splitFor;

  public SplitConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** Whether the last forward pass ran in parts (for tests). */
  boolean splitLastBatch() {
    return splitFor != null;
  }

  /** How many parts {@code x} runs as here (below 2: DL4J's own code). */
  private int parts(INDArray x) {
    boolean supported = Dl4jRuntime.onCpu() && plainSameConvolution(x);
    return supported ? Parts.of(x.size(0), MIN_PART) : 0;
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    int parts = parts(input);
    if (parts < 2) {
      splitFor = null;
      return super.activate(training, workspaceMgr);
    }
    INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    INDArray bias = getParam(ConvolutionParamInitializer.BIAS_KEY);
    INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
        new long[] {input.size(0), layerConf().getNOut(), input.size(2), input.size(3)}, 'c');
    int[] iArgs = intArguments();
    Parts.run(parts, input.size(0), (part, from, to) -> {
      Nd4j.exec(DynamicCustomOp.builder("conv2d")
          .addInputs(rows(input, from, to), weights, bias)
          .addOutputs(rows(output, from, to))
          .addIntegerArguments(iArgs).build());
      return null;
    });
    splitFor = input;
    return output;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    if (splitFor != input) { // null: DL4J's own code ran forward
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    INDArray delta = FloatArrays.contiguousOrCopy(epsilon);
    int parts = Math.max(2, parts(input));
    INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
    INDArray bias = getParam(ConvolutionParamInitializer.BIAS_KEY);
    INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
    INDArray biasGradView = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
    INDArray inputGrad = workspaceMgr.createUninitialized(
        ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    // the first part's weight and bias gradients go to the views, the others' to arrays of
    // their own (outside any workspace: other threads write them), summed in afterwards
    INDArray[] weightGrads = new INDArray[parts];
    INDArray[] biasGrads = new INDArray[parts];
    weightGrads[0] = weightGradView;
    biasGrads[0] = biasGradView;
    try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      for (int p = 1; p < parts; p++) {
        weightGrads[p] = Nd4j.createUninitialized(DataType.FLOAT, weightGradView.shape(), 'c');
        biasGrads[p] = Nd4j.createUninitialized(DataType.FLOAT, biasGradView.shape(), 'c');
      }
    }
    int[] iArgs = intArguments();
    Parts.run(parts, input.size(0), (part, from, to) -> {
      Nd4j.exec(DynamicCustomOp.builder("conv2d_bp")
          .addInputs(rows(input, from, to), weights, bias, rows(delta, from, to))
          .addOutputs(rows(inputGrad, from, to), weightGrads[part], biasGrads[part])
          .addIntegerArguments(iArgs).build());
      return null;
    });
    for (int p = 1; p < parts; p++) {
      weightGradView.addi(weightGrads[p]);
      biasGradView.addi(biasGrads[p]);
      weightGrads[p].close();
      biasGrads[p].close();
    }
    return filledGradients(inputGrad);
  }

  /** oneDNN's integer arguments: kernel, stride, padding, dilation, same, NCHW, OIHW weights. */
  private int[] intArguments() {
    var conf = layerConf();
    int[] kernel = conf.getKernelSize();
    int[] pad = ConvolutionUtils.getSameModeTopLeftPadding(
        new int[] {(int) input.size(2), (int) input.size(3)},
        new int[] {(int) input.size(2), (int) input.size(3)}, kernel, new int[] {1, 1},
        new int[] {1, 1});
    return new int[] {kernel[0], kernel[1], 1, 1, pad[0], pad[1], 1, 1, 1, 0, 1};
  }

  private static INDArray rows(INDArray x, long from, long to) {
    return x.get(NDArrayIndex.interval(from, to));
  }
}
