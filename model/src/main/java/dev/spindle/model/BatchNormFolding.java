package dev.spindle.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An inference-only copy of a trained network in which every conv -> BatchNorm -> activation
 * triple is one convolution: the BatchNorm's running statistics and affine parameters are
 * folded into the convolution's weights and bias ({@code W' = W * s}, {@code b' = (b - mean) * s
 * + beta}, {@code s = gamma / std}) and the convolution applies the activation itself. The
 * outputs are the network's in inference mode, to float rounding, for two passes fewer over
 * every feature map. Training mode is meaningless for the copy (its BatchNorm is gone).
 */
public final class BatchNormFolding {
  private BatchNormFolding() {
  }

  /** The folded copy of {@code trained}; {@code trained} itself is not changed. */
  public static MultiLayerNetwork fold(MultiLayerNetwork trained) {
    MultiLayerConfiguration conf = trained.getLayerWiseConfigurations().clone();
    List<NeuralNetConfiguration> layers = conf.getConfs();
    List<NeuralNetConfiguration> kept = new ArrayList<>();
    Map<Integer, InputPreProcessor> preProcessors = new HashMap<>();
    List<int[]> sources = new ArrayList<>(); // {index in trained, folded BatchNorm index or -1}
    for (int i = 0; i < layers.size(); i++) {
      InputPreProcessor pre = conf.getInputPreProcess(i);
      if (pre != null) {
        preProcessors.put(kept.size(), pre);
      }
      NeuralNetConfiguration layer = layers.get(i);
      if (foldable(layers, i)) {
        ConvolutionLayer conv = (ConvolutionLayer) layer.getLayer();
        conv.setActivationFn(((ActivationLayer) layers.get(i + 2).getLayer()).getActivationFn());
        sources.add(new int[] {i, i + 1});
        kept.add(layer);
        i += 2;
      } else {
        sources.add(new int[] {i, -1});
        kept.add(layer);
      }
    }
    conf.setConfs(kept);
    conf.setInputPreProcessors(preProcessors);
    MultiLayerNetwork folded = new MultiLayerNetwork(conf);
    folded.init();
    for (int j = 0; j < sources.size(); j++) {
      Layer from = trained.getLayer(sources.get(j)[0]);
      Layer to = folded.getLayer(j);
      if (sources.get(j)[1] >= 0) {
        foldInto(from, trained.getLayer(sources.get(j)[1]), to);
      } else if (from.numParams() > 0) {
        to.params().assign(from.params());
      }
    }
    return folded;
  }

  private static boolean foldable(List<NeuralNetConfiguration> layers, int i) {
    return i + 2 < layers.size()
        && layers.get(i).getLayer() instanceof ConvolutionLayer conv && conv.hasBias()
        && layers.get(i + 1).getLayer() instanceof BatchNormalization bn && !bn.isLockGammaBeta()
        && layers.get(i + 2).getLayer() instanceof ActivationLayer;
  }

  private static void foldInto(Layer conv, Layer batchNorm, Layer target) {
    BatchNormalization bn = (BatchNormalization) batchNorm.conf().getLayer();
    float[] gamma = vector(batchNorm.getParam("gamma"));
    float[] beta = vector(batchNorm.getParam("beta"));
    float[] mean = vector(batchNorm.getParam("mean"));
    float[] std = bn.isUseLogStd() ? pow10(vector(batchNorm.getParam("log10stdev")))
        : sqrtPlus(vector(batchNorm.getParam("var")), bn.getEps());
    INDArray weights = conv.getParam("W");
    long[] shape = weights.shape();
    float[][] w = weights.dup('c').reshape('c', shape[0], -1).toFloatMatrix();
    float[] b = vector(conv.getParam("b"));
    for (int c = 0; c < w.length; c++) {
      float scale = gamma[c] / std[c];
      for (int k = 0; k < w[c].length; k++) {
        w[c][k] *= scale;
      }
      b[c] = (b[c] - mean[c]) * scale + beta[c];
    }
    target.getParam("W").assign(Nd4j.create(w).reshape('c', shape));
    target.getParam("b").assign(Nd4j.create(b).reshape(target.getParam("b").shape()));
  }

  private static float[] vector(INDArray param) {
    return param.dup().reshape(param.length()).toFloatVector();
  }

  private static float[] pow10(float[] log10) {
    float[] out = new float[log10.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) Math.pow(10, log10[i]);
    }
    return out;
  }

  private static float[] sqrtPlus(float[] variance, double eps) {
    float[] out = new float[variance.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) Math.sqrt(variance[i] + eps);
    }
    return out;
  }
}
