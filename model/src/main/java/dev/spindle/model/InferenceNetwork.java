package dev.spindle.model;

import dev.spindle.model.layers.FloatArrays;
import dev.spindle.model.layers.JavaBatchNormalization;
import dev.spindle.model.onednn.OneDnnException;
import dev.spindle.model.onednn.OneDnnNetwork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What serving answers with: an inference-only copy of a trained network, built for CPU speed,
 * with the trained network's inference outputs (to float rounding).
 * <ul>
 *   <li>Every conv -> BatchNorm (+ ReLU) and conv -> BatchNorm -> activation is one
 *       convolution: the BatchNorm's running statistics and affine parameters are folded into
 *       the convolution's weights and bias ({@code W' = W * s}, {@code b' = (b - mean) * s +
 *       beta}, {@code s = gamma / std}) and the convolution applies the activation itself:
 *       fewer passes over every feature map.</li>
 *   <li>Convolutions and pooling run channels-last (NHWC), oneDNN's own layout, where NCHW
 *       costs a reorder around every layer (one thread, batch 64: 1,496 -> 2,243 images/s);
 *       the dense layer after the last pooling gets its weight rows permuted to match.</li>
 *   <li>For up to {@value #SMALL_BATCH} images (an HTTP request, a thin stream batch) the
 *       dense layers at the end run in Java ({@link DenseTail}): for one image DL4J spent ~0.3-0.5
 *       ms in them, this ~0.05.</li>
 *   <li>A larger batch, where the caller allows several OpenMP threads, runs as that many parts
 *       side by side, each on one thread with a network copy of its own (see
 *       {@link Dl4jPath}).</li>
 * </ul>
 * All of that is DL4J's path. Where oneDNN's own API is there ({@link OneDnnNetwork}: the CPU
 * backend, every layer one it runs) the folded channels-last network runs as a oneDNN plan
 * instead, at every batch size: the feature maps stay in oneDNN's blocked layout from layer to
 * layer, the weights are reordered once, the ReLUs fused (default network, both cores: 64
 * images 32 -> ~18-22 ms, one image ~1.4 -> ~0.5-0.9 ms). Should oneDNN fail on an input, this
 * copy goes back to DL4J's path for good, with a warning; it builds that path then, not
 * before: copies served by plans share one converted network and build no DL4J path.
 * {@link #output} takes NCHW input, as {@link ImageBatch} builds it. A network with other
 * layers than conv, BatchNorm, activation, pooling, dense and output keeps NCHW. Not safe for
 * concurrent use (DL4J networks are not): give each thread its own {@link #copy}.
 */
public final class InferenceNetwork implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InferenceNetwork.class);
  /** The largest batch whose dense layers at the end run in Java ({@link DenseTail}). */
  static final int SMALL_BATCH = 8;
  private static final int FEATURE_BATCH = 256;

  /**
   * The converted network (channels-last, BatchNorm folded). With a oneDNN plan it is never
   * run: a copy that needs DL4J's path clones it then ({@link #dl4j()}).
   */
  private final MultiLayerNetwork source;
  private final boolean channelsLast;
  /**
   * DL4J's path for this copy: with a oneDNN plan null until the plan fails. Building it for
   * every copy of every model (two more networks and the tail's 3,136 weight rows each) was
   * most of what a swap left on the Java heap for the young collections to copy.
   */
  private Dl4jPath dl4j;
  /** The network as a oneDNN plan, or null: DL4J's path. */
  private OneDnnNetwork oneDnn;

  private InferenceNetwork(MultiLayerNetwork source, boolean channelsLast, Dl4jPath dl4j,
      OneDnnNetwork oneDnn) {
    this.source = source;
    this.channelsLast = channelsLast;
    this.dl4j = dl4j;
    this.oneDnn = oneDnn;
  }

  /** The inference copy of {@code trained}; {@code trained} itself is not changed. */
  public static InferenceNetwork of(MultiLayerNetwork trained) {
    return ofFirst(trained, trained.getnLayers());
  }

  /**
   * The inference copy of the first {@code count} layers of {@code trained} (e.g. its backbone;
   * frozen layers count as the layers they wrap): its output is their activations, and
   * {@link #features} gives them as rows. {@code trained} itself is not changed.
   */
  public static InferenceNetwork ofFirst(MultiLayerNetwork trained, int count) {
    return ofFirst(trained, count, true);
  }

  /** {@link #ofFirst(MultiLayerNetwork, int)}, on DL4J's path only unless {@code oneDnn}. */
  static InferenceNetwork ofFirst(MultiLayerNetwork trained, int count, boolean oneDnn) {
    if (count < 1 || count > trained.getnLayers()) {
      throw new IllegalArgumentException(
          "layer count " + count + " not in 1.." + trained.getnLayers());
    }
    MultiLayerConfiguration conf = trained.getLayerWiseConfigurations().clone();
    List<NeuralNetConfiguration> layers = new ArrayList<>(conf.getConfs().subList(0, count));
    layers.forEach(InferenceNetwork::unfreeze);
    boolean channelsLast = layers.stream().allMatch(l -> supported(l.getLayer()));
    List<NeuralNetConfiguration> kept = new ArrayList<>();
    Map<Integer, InputPreProcessor> preProcessors = new HashMap<>();
    List<FoldedSource> sources = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      InputPreProcessor pre = conf.getInputPreProcess(i);
      CnnToFeedForwardPreProcessor flatten = null;
      if (channelsLast && pre instanceof CnnToFeedForwardPreProcessor cnn) {
        flatten = cnn;
        pre = new CnnToFeedForwardPreProcessor(cnn.getInputHeight(), cnn.getInputWidth(),
            cnn.getNumChannels(), CNN2DFormat.NHWC);
      }
      if (pre != null) {
        preProcessors.put(kept.size(), pre);
      }
      NeuralNetConfiguration layer = layers.get(i);
      // conv -> BatchNorm that rectifies, or conv -> BatchNorm -> activation (older networks)
      int folded = foldable(layers, i);
      if (folded == 1) {
        ((ConvolutionLayer) layer.getLayer()).setActivationFn(new ActivationReLU());
      } else if (folded == 2) {
        ((ConvolutionLayer) layer.getLayer()).setActivationFn(
            ((ActivationLayer) layers.get(i + 2).getLayer()).getActivationFn());
      }
      if (channelsLast) {
        toChannelsLast(layer.getLayer());
      }
      sources.add(new FoldedSource(i, folded > 0 ? i + 1 : -1, flatten));
      kept.add(layer);
      i += folded;
    }
    conf.setConfs(kept);
    conf.setInputPreProcessors(preProcessors);
    MultiLayerNetwork network = withZeroParameters(conf);
    for (int j = 0; j < sources.size(); j++) {
      sources.get(j).copyInto(trained, network.getLayer(j));
    }
    OneDnnNetwork plan = oneDnn ? OneDnnNetwork.compile(network).orElse(null) : null;
    return new InferenceNetwork(network, channelsLast,
        plan == null ? Dl4jPath.of(network) : null, plan);
  }

  /**
   * A network of {@code conf} whose parameters are all zero, for the caller to overwrite:
   * DL4J's {@code init()} draws every weight at random first, 14 ms of a swap's work for the
   * default classifier against ~1 ms for this.
   */
  static MultiLayerNetwork withZeroParameters(MultiLayerConfiguration conf) {
    long count = 0;
    for (NeuralNetConfiguration layer : conf.getConfs()) {
      count += layer.getLayer().initializer().numParams(layer);
    }
    MultiLayerNetwork network = new MultiLayerNetwork(conf);
    if (count == 0) {
      network.init();
      return network;
    }
    // the network's own, as init() makes them: outside any workspace the caller is in
    try (MemoryWorkspace none = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      network.init(Nd4j.create(conf.getDataType(), 1, count), false);
    }
    return network;
  }

  /** Class probabilities (or the last layer's output) for NCHW {@code images}. */
  public INDArray output(INDArray images) {
    if (oneDnn != null) {
      try {
        return oneDnn.output(images);
      } catch (OneDnnException e) {
        log.warn("oneDNN plan failed for input {}, DL4J's layers answer from now on: {}",
            Arrays.toString(images.shape()), e.getMessage());
        oneDnn.close();
        oneDnn = null;
      }
    }
    if (!channelsLast) {
      return dl4j().output(images);
    }
    try (INDArray nhwc = images.permute(0, 2, 3, 1).dup('c')) {
      return dl4j().output(nhwc);
    }
  }

  /**
   * This copy's DL4J path, built now if it was not: a clone of {@link #source} (copies share
   * it and clone it one at a time; nobody runs it when a plan answers), its body and tail.
   */
  private Dl4jPath dl4j() {
    if (dl4j == null) {
      MultiLayerNetwork own;
      synchronized (source) {
        own = source.clone();
      }
      dl4j = Dl4jPath.of(own);
    }
    return dl4j;
  }

  /**
   * {@link #output} for {@code n} images of {@code shape} laid one after another in
   * {@code images} (CHW each, as {@link ImageBatch#flat} lays them), one row per image: what a
   * classifier's requests and stream batches need. On a oneDNN plan no ND4J array is made: for
   * one image the two arrays around the plan (four native buffers, each with the references the
   * garbage collector must process at every young collection) were most of the objects a
   * request left behind.
   */
  public float[][] outputRows(InputShape shape, float[] images, int n) {
    if (oneDnn != null) {
      try {
        return oneDnn.outputRows(images, n,
            new long[] {shape.channels(), shape.height(), shape.width()});
      } catch (OneDnnException e) {
        log.warn("oneDNN plan failed for {} images of {}, DL4J's layers answer from now on: {}",
            n, shape, e.getMessage());
        oneDnn.close();
        oneDnn = null;
      }
    }
    try (INDArray x = ImageBatch.wrap(shape, images, n); INDArray out = output(x)) {
      return FloatArrays.rows(out.reshape(n, out.length() / n));
    }
  }

  /**
   * The output for NCHW {@code images} as one row per image, flattened channels-first (as
   * DL4J's CNN-to-dense preprocessor flattens the trained network's activations), whatever
   * layout this copy runs in.
   */
  public INDArray features(INDArray images) {
    INDArray out = output(images);
    if (out.rank() != 4) {
      return out;
    }
    INDArray channelsFirst = channelsLast ? out.permute(0, 3, 1, 2) : out;
    INDArray rows = channelsFirst.dup('c').reshape('c', out.size(0), out.length() / out.size(0));
    out.close();
    return rows;
  }

  /**
   * {@link #features} for every image (CHW pixels of {@code shape}), in batches of
   * {@value #FEATURE_BATCH}: rows [n, d].
   */
  public INDArray features(InputShape shape, List<float[]> images) {
    INDArray out = null;
    for (int from = 0; from < images.size(); from += FEATURE_BATCH) {
      int to = Math.min(images.size(), from + FEATURE_BATCH);
      int offset = from;
      try (INDArray x = ImageBatch.of(shape, to - from, i -> images.get(offset + i));
          INDArray rows = features(x)) {
        if (out == null) {
          out = Nd4j.create(rows.dataType(), images.size(), rows.size(1));
        }
        out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(rows);
      }
    }
    return out;
  }

  /** An independent copy, for another thread. */
  public InferenceNetwork copy() {
    return new InferenceNetwork(source, channelsLast, dl4j == null ? null : dl4j.copy(),
        oneDnn == null ? null : oneDnn.copy());
  }

  /**
   * The converted DL4J network (channels-last when {@link #channelsLast()}), with the layers
   * DL4J's path runs for batches of more than {@value #SMALL_BATCH} images.
   */
  public MultiLayerNetwork network() {
    return source;
  }

  public boolean channelsLast() {
    return channelsLast;
  }

  /**
   * Frees the native memory of the oneDNN plans now rather than when the garbage collector
   * finds this copy unreachable; a later {@link #output} makes them again.
   */
  @Override
  public void close() {
    if (oneDnn != null) {
      oneDnn.close();
    }
  }

  /** Whether {@link #output} runs as a oneDNN plan ({@link OneDnnNetwork}). */
  public boolean onOneDnn() {
    return oneDnn != null;
  }

  /** A frozen layer's configuration becomes the wrapped layer's (inference needs no freezing). */
  private static void unfreeze(NeuralNetConfiguration layer) {
    if (layer.getLayer() instanceof FrozenLayer frozen) {
      layer.setLayer(frozen.getLayer());
    } else if (layer.getLayer() instanceof FrozenLayerWithBackprop frozen) {
      layer.setLayer(frozen.getUnderlying());
    }
  }

  private static boolean supported(org.deeplearning4j.nn.conf.layers.Layer layer) {
    return layer instanceof ConvolutionLayer || layer instanceof SubsamplingLayer
        || layer instanceof BatchNormalization || layer instanceof ActivationLayer
        || layer instanceof DenseLayer || layer instanceof OutputLayer;
  }

  private static void toChannelsLast(org.deeplearning4j.nn.conf.layers.Layer layer) {
    if (layer instanceof ConvolutionLayer conv) {
      conv.setCnn2dDataFormat(CNN2DFormat.NHWC);
    } else if (layer instanceof SubsamplingLayer pool) {
      pool.setCnn2dDataFormat(CNN2DFormat.NHWC);
    } else if (layer instanceof BatchNormalization bn) {
      bn.setCnn2DFormat(CNN2DFormat.NHWC);
    }
  }

  /**
   * How many layers after a convolution at {@code i} fold into it: 1 (a BatchNorm that applies
   * its own ReLU), 2 (a BatchNorm, then an activation layer) or 0.
   */
  private static int foldable(List<NeuralNetConfiguration> layers, int i) {
    if (!(i + 1 < layers.size()
        && layers.get(i).getLayer() instanceof ConvolutionLayer conv && conv.hasBias()
        && layers.get(i + 1).getLayer() instanceof BatchNormalization bn
        && !bn.isLockGammaBeta())) {
      return 0;
    }
    if (bn instanceof JavaBatchNormalization java && java.isRectified()) {
      return 1;
    }
    return i + 2 < layers.size() && layers.get(i + 2).getLayer() instanceof ActivationLayer
        ? 2 : 0;
  }
}
