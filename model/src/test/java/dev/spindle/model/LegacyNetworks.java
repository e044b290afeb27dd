package dev.spindle.model;

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
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Networks as Spindle built them before BatchNorm took its block's ReLU and went to Java:
 * conv, DL4J's BatchNormalization, a ReLU ActivationLayer, DL4J's max pooling. What trainer
 * checkpoints, backbones and model artifacts saved by earlier versions hold.
 */
public final class LegacyNetworks {
  private LegacyNetworks() {}

  public static MultiLayerNetwork build(NetworkSpec spec, int blocks, int classes, long seed) {
    InputShape in = spec.input();
    var list = new NeuralNetConfiguration.Builder()
        .seed(seed).dataType(DataType.FLOAT).updater(new Adam(1e-3))
        .weightInit(WeightInit.RELU).biasInit(0)
        .trainingWorkspaceMode(WorkspaceMode.ENABLED)
        .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
        .cacheMode(CacheMode.DEVICE).convolutionMode(ConvolutionMode.Same)
        .list();
    int channels = in.channels();
    for (int b = 1; b <= blocks; b++) {
      list.layer(new ConvolutionLayer.Builder(3, 3).name("conv" + b).nIn(channels)
          .nOut(spec.blockWidth(b)).stride(1, 1).hasBias(true)
          .activation(Activation.IDENTITY).build());
      list.layer(new BatchNormalization.Builder().name("bn" + b).decay(0.9).eps(1e-5).build());
      list.layer(new ActivationLayer.Builder().name("relu" + b)
          .activation(Activation.RELU).build());
      if (spec.poolsAfter(b)) {
        list.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
            .name("pool" + b).kernelSize(2, 2).stride(2, 2).build());
      }
      channels = spec.blockWidth(b);
    }
    list.layer(new DenseLayer.Builder().name("fc").nOut(spec.headHidden())
        .activation(Activation.RELU).build());
    list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out")
        .nOut(classes).activation(Activation.SOFTMAX).build());
    list.setInputType(InputType.convolutional(in.height(), in.width(), in.channels()));
    MultiLayerNetwork net = new MultiLayerNetwork(list.build());
    net.init();
    return net;
  }
}
