package dev.spindle.model;

import dev.spindle.model.runtime.Dl4jRuntime;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the networks of a {@link NetworkSpec}: the rotation network (every block + a 4-way
 * head) and classifiers (blocks up to the cut + a C-way head). Layers are named
 * {@code conv<b>}, {@code bn<b>}, {@code relu<b>}, {@code pool<b>}, {@code fc}, {@code out}; a backbone is
 * the same leading layers in every network built from one spec, which is what
 * {@link #copyBackbone} relies on. He init, zero biases, BatchNorm momentum 0.1 and eps 1e-5
 * (PyTorch's defaults), Adam, float32, workspaces enabled, forward outputs cached for the
 * backward pass.
 */
public final class Networks {
  /** conv, BatchNorm, ReLU (then a pooling layer where the spec pools). */
  static final int LAYERS_PER_BLOCK = 3;

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
        .updater(new Adam(learningRate))
        .seed(seed)
        .build();
    return new TransferLearning.Builder(classifier)
        .fineTuneConfiguration(fineTune)
        .setFeatureExtractor(backboneLayers(spec, spec.cutBlock()) - 1)
        .build();
  }

  private static MultiLayerNetwork build(
      NetworkSpec spec, int blocks, int classes, double learningRate, long seed) {
    Dl4jRuntime.init();
    InputShape in = spec.input();
    var list = new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(DataType.FLOAT)
        .updater(new Adam(learningRate))
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
      list.layer(new ConvolutionLayer.Builder(3, 3)
          .name("conv" + b).nIn(channels).nOut(spec.blockWidth(b))
          .stride(1, 1).hasBias(true).activation(Activation.IDENTITY).build());
      list.layer(new BatchNormalization.Builder()
          .name("bn" + b).decay(0.9).eps(1e-5).build());
      // its own layer: DL4J's BatchNormalization accepts an activation but never applies it
      list.layer(new ActivationLayer.Builder().name("relu" + b).activation(Activation.RELU).build());
      if (spec.poolsAfter(b)) {
        list.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
            .name("pool" + b).kernelSize(2, 2).stride(2, 2).build());
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
