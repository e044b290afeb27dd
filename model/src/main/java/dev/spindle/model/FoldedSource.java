package dev.spindle.model;

import dev.spindle.model.layers.FloatArrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a layer of an {@link InferenceNetwork} copy gets its parameters: layer {@code layer} of
 * the trained network, with the BatchNorm at {@code batchNorm} folded in (-1: none), its weight
 * rows reordered from channels-first to channels-last flattening when {@code flatten} is the
 * preprocessor before it (null: none).
 */
record FoldedSource(int layer, int batchNorm, CnnToFeedForwardPreProcessor flatten) {

  void copyInto(MultiLayerNetwork trained, Layer target) {
    Layer from = trained.getLayer(layer);
    if (batchNorm >= 0) {
      fold(from, trained.getLayer(batchNorm), target);
    } else if (flatten != null) {
      target.params().assign(from.params());
      INDArray w = from.getParam("W");
      long outputs = w.size(1);
      target.getParam("W").assign(w.dup('c')
          .reshape('c', flatten.getNumChannels(), flatten.getInputHeight(),
              flatten.getInputWidth(), outputs)
          .permute(1, 2, 0, 3).dup('c').reshape('c', w.size(0), outputs));
    } else if (from.numParams() > 0) {
      target.params().assign(from.params());
    }
  }

  private static void fold(Layer conv, Layer batchNorm, Layer target) {
    BatchNormalization bn = (BatchNormalization) batchNorm.conf().getLayer();
    float[] gamma = FloatArrays.values(batchNorm.getParam("gamma"));
    float[] beta = FloatArrays.values(batchNorm.getParam("beta"));
    float[] mean = FloatArrays.values(batchNorm.getParam("mean"));
    float[] std = bn.isUseLogStd() ? pow10(FloatArrays.values(batchNorm.getParam("log10stdev")))
        : sqrtPlus(FloatArrays.values(batchNorm.getParam("var")), bn.getEps());
    INDArray weights = conv.getParam("W");
    long[] shape = weights.shape();
    float[][] w = FloatArrays.rows(weights.dup('c').reshape('c', shape[0], -1));
    float[] b = FloatArrays.values(conv.getParam("b"));
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
