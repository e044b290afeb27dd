package dev.spindle.model;

import dev.spindle.model.layers.JavaAdam;
import dev.spindle.model.layers.JavaBatchNormalization;
import dev.spindle.model.layers.JavaInputConvolution;
import dev.spindle.model.layers.JavaMaxPooling;
import dev.spindle.model.layers.LayerConversion;
import dev.spindle.model.layers.OneDnnConvolution;
import dev.spindle.model.layers.SplitConvolution;
import dev.spindle.model.runtime.Dl4jRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the networks of a {@link NetworkSpec}: the rotation network (every block + a 4-way
 * head) and classifiers (blocks up to the cut + a C-way head). Layers are named
 * {@code conv<b>}, {@code bn<b>} (BatchNorm and the block's ReLU), {@code pool<b>}, {@code fc},
 * {@code out}; a backbone is the same leading layers in every network built from one spec,
 * which is what {@link #copyBackbone} relies on. He init, zero biases, BatchNorm momentum 0.1
 * and eps 1e-5 (PyTorch's defaults), Adam, float32, workspaces enabled, forward outputs cached
 * for the backward pass. BatchNorm + ReLU and max pooling train in Java ({@link
 * JavaBatchNormalization}, {@link JavaMaxPooling}): DL4J M2.1's own layers spent half of a
 * training step there; so does the first convolution ({@link JavaInputConvolution}), whose one
 * input channel oneDNN handles slowly, and the Adam update ({@link JavaAdam}), where ND4J's op
 * took ~9 ns a parameter. The other convolutions call oneDNN's primitives directly ({@link
 * OneDnnConvolution}): behind DL4J's helper oneDNN shared one batch between two threads poorly
 * (where oneDNN cannot load they run a batch as parts side by side, {@link SplitConvolution}).
 *
 * <p>Networks saved before that (separate {@code relu<b>} layers, DL4J's own BatchNorm,
 * pooling, convolutions and Adam) have the same parameters in the same order; {@link #upgraded}
 * turns one into today's layout.
 */
public final class Networks {
  /** conv, BatchNorm + ReLU (then a pooling layer where the spec pools). */
  static final int LAYERS_PER_BLOCK = 2;

  private Networks() {}

  /** The rotation-prediction network: all blocks, 4-way softmax. */
  public static MultiLayerNetwork rotationNet(NetworkSpec spec, double learningRate, long seed) {
    return build(spec, spec.blocks(), Rotations.COUNT, learningRate, seed);
  }

  /** A classifier: blocks 1..cut, then a new {@code classes}-way head. */
  public static MultiLayerNetwork classifier(
      NetworkSpec spec, int classes, double learningRate, long seed) {
    return build(spec, spec.cutBlock(), classes, learningRate, seed);
  }

  /** How many leading layers of a network built from {@code spec} are blocks 1..{@code upTo}. */
  public static int backboneLayers(NetworkSpec spec, int upTo) {
    int layers = 0;
    for (int b = 1; b <= upTo; b++) {
      layers += spec.poolsAfter(b) ? LAYERS_PER_BLOCK + 1 : LAYERS_PER_BLOCK;
    }
    return layers;
  }

  /** Copies the parameters (including BatchNorm statistics) of the first {@code layers} layers. */
  public static void copyLayers(MultiLayerNetwork from, MultiLayerNetwork to, int layers) {
    copyLayers(from, 0, to, 0, layers);
  }

  /**
   * Copies the parameters of {@code layers} layers of {@code from}, starting at {@code fromFirst},
   * into the layers of {@code to} starting at {@code toFirst} (e.g. a network's head into a
   * network made of that head alone, and back).
   */
  public static void copyLayers(MultiLayerNetwork from, int fromFirst, MultiLayerNetwork to,
      int toFirst, int layers) {
    for (int i = 0; i < layers; i++) {
      Layer source = from.getLayer(fromFirst + i);
      Layer target = to.getLayer(toFirst + i);
      if (source.numParams() != target.numParams()) {
        throw new IllegalArgumentException("layer " + (fromFirst + i) + " differs from layer "
            + (toFirst + i) + ": " + source.numParams() + " vs " + target.numParams()
            + " parameters");
      }
      if (source.numParams() > 0) {
        target.params().assign(source.params());
      }
    }
  }

  /** Copies the backbone of a network built from {@code spec} (blocks 1..cut) into another. */
  public static void copyBackbone(NetworkSpec spec, MultiLayerNetwork from, MultiLayerNetwork to) {
    copyLayers(from, to, backboneLayers(spec, spec.cutBlock()));
  }

  /**
   * A view of {@code classifier} whose backbone is frozen (its BatchNorm in inference mode)
   * and whose head trains with Adam at {@code learningRate}. Parameters are shared with nothing:
   * TransferLearning copies them.
   */
  public static MultiLayerNetwork withFrozenBackbone(
      NetworkSpec spec, MultiLayerNetwork classifier, double learningRate, long seed) {
    FineTuneConfiguration fineTune = new FineTuneConfiguration.Builder()
        .updater(new JavaAdam(learningRate))
        .seed(seed)
        .build();
    return new TransferLearning.Builder(classifier)
        .fineTuneConfiguration(fineTune)
        .setFeatureExtractor(backboneLayers(spec, spec.cutBlock()) - 1)
        .build();
  }

  /**
   * {@code net} in today's layout: DL4J BatchNormalization followed by a ReLU layer becomes one
   * {@link JavaBatchNormalization} that rectifies (any other BatchNormalization one that does
   * not), max pooling becomes {@link JavaMaxPooling} (which leaves all but 2x2 stride 2 to
   * DL4J's code), the first layer, when a DL4J convolution, a {@link JavaInputConvolution},
   * any other DL4J convolution or {@link SplitConvolution} a {@link OneDnnConvolution}, DL4J's
   * Adam a {@link JavaAdam};
   * parameters, running statistics and updater state carry over unchanged (their order does
   * not change: ReLU layers have none). Returns {@code net} itself when there is nothing to
   * change.
   */
  public static MultiLayerNetwork upgraded(MultiLayerNetwork net) {
    MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
    List<NeuralNetConfiguration> layers = conf.getConfs();
    List<NeuralNetConfiguration> kept = new ArrayList<>();
    Map<Integer, InputPreProcessor> preProcessors = new HashMap<>();
    boolean changed = false;
    for (int i = 0; i < layers.size(); i++) {
      if (conf.getInputPreProcess(i) != null) {
        preProcessors.put(kept.size(), conf.getInputPreProcess(i));
      }
      NeuralNetConfiguration layer = layers.get(i);
      org.deeplearning4j.nn.conf.layers.Layer l = layer.getLayer();
      if (l instanceof BatchNormalization bn && !(bn instanceof JavaBatchNormalization)) {
        JavaBatchNormalization java = LayerConversion.as(bn, JavaBatchNormalization.class);
        boolean reluNext = i + 1 < layers.size() && conf.getInputPreProcess(i + 1) == null
            && layers.get(i + 1).getLayer() instanceof ActivationLayer act
            && act.getActivationFn() instanceof ActivationReLU relu
            && relu.equals(new ActivationReLU());
        if (reluNext) {
          java.rectifying();
          i++;
        }
        layer.setLayer(java);
        changed = true;
      } else if (i == 0 && l.getClass() == ConvolutionLayer.class) {
        layer.setLayer(LayerConversion.as(l, JavaInputConvolution.class));
        changed = true;
      } else if (l.getClass() == ConvolutionLayer.class
          || l.getClass() == SplitConvolution.class) {
        layer.setLayer(LayerConversion.as(l, OneDnnConvolution.class));
        changed = true;
      } else if (l instanceof SubsamplingLayer pool && !(pool instanceof JavaMaxPooling)
          && pool.getPoolingType() == PoolingType.MAX) {
        layer.setLayer(LayerConversion.as(pool, JavaMaxPooling.class));
        changed = true;
      }
      changed |= adamInJava(layer.getLayer());
      kept.add(layer);
    }
    if (!changed) {
      return net;
    }
    conf.setConfs(kept);
    conf.setInputPreProcessors(preProcessors);
    MultiLayerNetwork upgraded = new MultiLayerNetwork(conf);
    upgraded.init(net.params().dup(), false);
    Updater updater = net.getUpdater(false);
    if (updater != null && updater.getStateViewArray() != null) {
      upgraded.getUpdater().getStateViewArray().assign(updater.getStateViewArray());
    }
    return upgraded;
  }

  /** DL4J's Adam as {@link JavaAdam} in {@code layer}'s updaters; whether any changed. */
  private static boolean adamInJava(org.deeplearning4j.nn.conf.layers.Layer layer) {
    if (!(layer instanceof BaseLayer base)) {
      return false;
    }
    boolean changed = false;
    if (base.getIUpdater() instanceof Adam adam && !(adam instanceof JavaAdam)) {
      base.setIUpdater(JavaAdam.of(adam));
      changed = true;
    }
    if (base.getBiasUpdater() instanceof Adam adam && !(adam instanceof JavaAdam)) {
      base.setBiasUpdater(JavaAdam.of(adam));
      changed = true;
    }
    return changed;
  }

  private static MultiLayerNetwork build(
      NetworkSpec spec, int blocks, int classes, double learningRate, long seed) {
    Dl4jRuntime.init();
    InputShape in = spec.input();
    var list = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .updater(new JavaAdam(learningRate))
        .weightInit(WeightInit.RELU)
        .biasInit(0)
        .trainingWorkspaceMode(WorkspaceMode.ENABLED)
        .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
        // keep each conv layer's forward output for its backward pass: without a cache mode
        // DL4J's ConvolutionLayer runs the whole convolution again in backpropGradient
        .cacheMode(CacheMode.DEVICE)
        .convolutionMode(ConvolutionMode.Same)
        .list();
    int channels = in.channels();
    for (int b = 1; b <= blocks; b++) {
      ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(3, 3)
          .name("conv" + b).nIn(channels).nOut(spec.blockWidth(b))
          .stride(1, 1).hasBias(true).activation(Activation.IDENTITY);
      list.layer(b == 1 ? JavaInputConvolution.of(conv) : OneDnnConvolution.of(conv));
      list.layer(JavaBatchNormalization.of("bn" + b, 0.9, 1e-5).rectifying());
      if (spec.poolsAfter(b)) {
        list.layer(JavaMaxPooling.named("pool" + b));
      }
      channels = spec.blockWidth(b);
    }
    list.layer(new DenseLayer.Builder()
        .name("fc").nOut(spec.headHidden()).activation(Activation.RELU).build());
    list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
        .name("out").nOut(classes).activation(Activation.SOFTMAX).build());
    list.setInputType(InputType.convolutional(in.height(), in.width(), in.channels()));
    MultiLayerNetwork net = new MultiLayerNetwork(list.build());
    net.init();
    return net;
  }
}
