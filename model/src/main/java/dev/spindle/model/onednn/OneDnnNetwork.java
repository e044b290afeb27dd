package dev.spindle.model.onednn;

import dev.spindle.model.layers.FloatArrays;
import dev.spindle.model.layers.JavaInputConvolution;
import dev.spindle.model.layers.JavaMaxPooling;
import dev.spindle.model.layers.OneDnnConvolution;
import dev.spindle.model.layers.SplitConvolution;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J network's forward pass (inference) run by oneDNN directly, as {@link Plan}s: one per
 * batch size that is a power of two up to {@value #LARGEST_PLAN}, made on first use; a batch runs
 * as the fewest such pieces (37 images: 32 + 4 + 1; 200: 64 + 64 + 64 + 8). Through DL4J's layer
 * helpers every layer converted its input to oneDNN's blocked layout and back, reordered its
 * weights on every call and ran BatchNorm, ReLU and pooling as passes of their own; here the
 * feature maps stay in the blocked layout from the first convolution to the dense layer and the
 * ReLUs are fused into the layers before them. The default network at batch 64, both cores:
 * backbone 15-19 ms against ~32 for the whole DL4J pass, ~2,100 images/s on one thread.
 * The weights are copied when the network is compiled; a later change to the DL4J network does
 * not reach it. Not thread-safe: give each thread its own {@link #copy}.
 */
public final class OneDnnNetwork {
  static final int LARGEST_PLAN = 64;

  private static final Set<Class<?>> CONVOLUTIONS =
      Set.of(ConvolutionLayer.class, JavaInputConvolution.class, SplitConvolution.class,
          OneDnnConvolution.class);
  private static final Set<Class<?>> POOLINGS =
      Set.of(SubsamplingLayer.class, JavaMaxPooling.class);

  private final List<LayerSpec> layers;
  /** Plans by log2 of their batch size, for inputs of {@link #inputShape}. */
  private final Plan[] plans = new Plan[Integer.numberOfTrailingZeros(LARGEST_PLAN) + 1];
  private long[] inputShape;

  private OneDnnNetwork(List<LayerSpec> layers) {
    this.layers = layers;
  }

  /**
   * {@code network} as a oneDNN network, if oneDNN is {@link OneDnn#available} and every layer
   * is one it runs: convolutions (ReLU or identity, DL4J's Same, Truncate or Strict mode), max
   * pooling (average pooling without padding), dense and output layers (ReLU, identity; softmax
   * last), with no preprocessor but the flatten before the first dense layer. Empty otherwise.
   */
  public static Optional<OneDnnNetwork> compile(MultiLayerNetwork network) {
    if (!OneDnn.available()) {
      return Optional.empty();
    }
    List<LayerSpec> specs = new ArrayList<>();
    for (int i = 0; i < network.getnLayers(); i++) {
      InputPreProcessor pre = network.getLayerWiseConfigurations().getInputPreProcess(i);
      Optional<LayerSpec> spec = spec(network.getLayer(i), pre, i == network.getnLayers() - 1);
      if (spec.isEmpty()) {
        return Optional.empty();
      }
      specs.add(spec.get());
    }
    return specs.isEmpty() ? Optional.empty() : Optional.of(new OneDnnNetwork(List.copyOf(specs)));
  }

  /** The same network for another thread (plans of its own, made on first use). */
  public OneDnnNetwork copy() {
    return new OneDnnNetwork(layers);
  }

  /**
   * The output for NCHW {@code images}: {@code [n, outputs]} after a dense layer, else the last
   * feature maps channels-last, {@code [n, height, width, channels]}.
   *
   * @throws OneDnnException when oneDNN cannot run a layer for this input
   */
  public INDArray output(INDArray images) {
    if (images.rank() != 4 || images.size(0) == 0) {
      throw new IllegalArgumentException("NCHW images expected, at least one, got shape "
          + java.util.Arrays.toString(images.shape()));
    }
    int n = Math.toIntExact(images.size(0));
    long[] shape = {images.size(1), images.size(2), images.size(3)};
    INDArray x = FloatArrays.contiguousOrCopy(images);
    try {
      float[] out = run(FloatArrays.buffer(x), n, shape);
      long[] perImage = java.util.Arrays.stream(plans).filter(p -> p != null).findFirst()
          .orElseThrow().outputShape;
      long[] outShape = new long[perImage.length + 1];
      outShape[0] = n;
      System.arraycopy(perImage, 0, outShape, 1, perImage.length);
      // detached, as DL4J's output(): the caller may be inside a workspace that ends first
      try (MemoryWorkspace none = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
        return Nd4j.create(out, outShape, 'c');
      }
    } finally {
      if (x != images) {
        x.close();
      }
    }
  }

  /**
   * The output for {@code n} images of shape {@code chw} laid one after another in
   * {@code images}, one row per image (flattened in this network's output layout): the same
   * values as {@link #output(INDArray)}, read from and written to Java arrays, without the
   * ND4J arrays (native buffers, each with references the garbage collector must process)
   * around them.
   */
  public float[][] outputRows(float[] images, int n, long[] chw) {
    if (n < 1 || images.length != n * chw[0] * chw[1] * chw[2]) {
      throw new IllegalArgumentException(images.length + " values are not " + n + " images of "
          + java.util.Arrays.toString(chw));
    }
    float[] out = run(FloatBuffer.wrap(images), n, chw);
    return FloatArrays.rows(out, out.length / n);
  }

  /** Runs {@code n} images of shape {@code chw} from {@code values}, plan by plan. */
  private float[] run(FloatBuffer values, int n, long[] chw) {
    if (!java.util.Arrays.equals(chw, inputShape)) {
      close();
      inputShape = chw.clone();
    }
    float[] out = null;
    for (int done = 0; done < n; ) {
      Plan plan = plan(Integer.highestOneBit(Math.min(n - done, LARGEST_PLAN)));
      if (out == null) {
        out = new float[Math.multiplyExact(n, plan.outputSize())];
      }
      plan.run(values, done, out);
      done += plan.batch;
    }
    return out;
  }

  /** Frees the plans now (else the garbage collector's cleaner does, later). */
  public void close() {
    for (int i = 0; i < plans.length; i++) {
      if (plans[i] != null) {
        plans[i].close();
        plans[i] = null;
      }
    }
  }

  private Plan plan(int batch) {
    int slot = Integer.numberOfTrailingZeros(batch);
    if (plans[slot] == null) {
      plans[slot] = new Plan(layers, batch, inputShape[0], inputShape[1], inputShape[2]);
    }
    return plans[slot];
  }

  private static Optional<LayerSpec> spec(Layer layer, InputPreProcessor pre, boolean last) {
    org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
    Class<?> type = conf.getClass();
    if (CONVOLUTIONS.contains(type) && pre == null) {
      return convolution(layer, (ConvolutionLayer) conf);
    }
    if (POOLINGS.contains(type) && pre == null) {
      return pooling((SubsamplingLayer) conf);
    }
    if (type == DenseLayer.class || type == OutputLayer.class) {
      return dense(layer, (BaseLayer) conf, pre, last);
    }
    return Optional.empty();
  }

  private static Optional<LayerSpec> convolution(Layer layer, ConvolutionLayer conf) {
    Optional<LayerSpec.Activation> activation = activation(conf.getActivationFn());
    Optional<Padding> padding = padding(conf.getConvolutionMode(), conf.getPadding());
    if (activation.isEmpty() || activation.get() == LayerSpec.Activation.SOFTMAX
        || padding.isEmpty()) {
      return Optional.empty();
    }
    int out = Math.toIntExact(conf.getNOut());
    float[] bias = conf.hasBias() ? FloatArrays.values(layer.getParam("b")) : new float[out];
    return Optional.of(new LayerSpec.Conv(out, Math.toIntExact(conf.getNIn()),
        conf.getKernelSize().clone(), conf.getStride().clone(), conf.getDilation().clone(),
        padding.get().values(), LayerSpec.offHeap(layer.getParam("W")), bias,
        activation.get() == LayerSpec.Activation.RELU));
  }

  private static Optional<LayerSpec> pooling(SubsamplingLayer conf) {
    Optional<Padding> padding = padding(conf.getConvolutionMode(), conf.getPadding());
    boolean max = conf.getPoolingType() == PoolingType.MAX;
    if (padding.isEmpty() || !(max || conf.getPoolingType() == PoolingType.AVG)) {
      return Optional.empty();
    }
    return Optional.of(new LayerSpec.Pool(max, conf.getKernelSize().clone(),
        conf.getStride().clone(), conf.getDilation().clone(), padding.get().values()));
  }

  private static Optional<LayerSpec> dense(
      Layer layer, BaseLayer conf, InputPreProcessor pre, boolean last) {
    boolean flatten = pre instanceof CnnToFeedForwardPreProcessor;
    Optional<LayerSpec.Activation> activation = activation(conf.getActivationFn());
    if ((pre != null && !flatten) || activation.isEmpty()
        || (activation.get() == LayerSpec.Activation.SOFTMAX && !last)
        || (conf instanceof DenseLayer dense && dense.hasLayerNorm())) {
      return Optional.empty();
    }
    INDArray w = layer.getParam("W");
    int inputs = Math.toIntExact(w.size(0));
    int outputs = Math.toIntExact(w.size(1));
    INDArray b = layer.getParam("b");
    return Optional.of(new LayerSpec.Dense(outputs, inputs, LayerSpec.offHeap(w.transpose()),
        b == null ? new float[outputs] : FloatArrays.values(b), activation.get(),
        flatten && ((CnnToFeedForwardPreProcessor) pre).getFormat() == CNN2DFormat.NHWC));
  }

  private static Optional<LayerSpec.Activation> activation(IActivation fn) {
    if (fn instanceof ActivationIdentity) {
      return Optional.of(LayerSpec.Activation.IDENTITY);
    }
    if (fn instanceof ActivationReLU relu && relu.equals(new ActivationReLU())) {
      return Optional.of(LayerSpec.Activation.RELU);
    }
    if (fn instanceof ActivationSoftmax) {
      return Optional.of(LayerSpec.Activation.SOFTMAX);
    }
    return Optional.empty();
  }

  /**
   * DL4J's padding for {@code mode} as {@link LayerSpec} takes it: null for Same (computed per
   * input size), the configured padding for Truncate and Strict; empty for a mode oneDNN has no
   * counterpart of (Causal).
   */
  private static Optional<Padding> padding(ConvolutionMode mode, int[] padding) {
    return switch (mode) {
      case Same -> Optional.of(new Padding(null));
      case Truncate, Strict -> Optional.of(new Padding(padding.clone()));
      default -> Optional.empty();
    };
  }

  private record Padding(int[] values) {}
}
