package dev.spindle.model.layers;

import dev.spindle.model.onednn.BatchNormTraining;
import dev.spindle.model.onednn.OneDnn;
import java.nio.FloatBuffer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * DL4J's BatchNormalization layer (and the ReLU after it, when {@link
 * JavaBatchNormalization#isRectified()}) with the channels-first float32 case on the CPU
 * computed in Java, one channel at a time while its values are in cache: going forward the
 * batch statistics and the output, going back the two gradient sums and the input gradient.
 * DL4J M2.1 computes the batch statistics with generic ND4J reductions before running oneDNN's
 * op, and its backward op alone took a quarter of a training step on the default network.
 * Same arithmetic: biased batch variance, DL4J's "distributed-safe" running-statistics update;
 * the input gradient agrees with a double-precision computation to about 1e-7 (DL4J's own,
 * summing in float, is off by up to 0.5% on 28x28 maps). In training, where oneDNN is {@link
 * OneDnn#available} and the channels are a multiple of {@value BatchNormTraining#BLOCK}, oneDNN's
 * kernels for its blocked layout compute the same ({@link BatchNormTraining}: ~0.8 ms each way
 * on the largest layer of the default network, plus ~0.5-0.7 ms per reorder from and to DL4J's
 * arrays; a batch-64 training step 2-10% faster than with the loops here, in one JVM).
 * Every other case (channels-last, rank 2, locked gamma/beta, other data types, the CUDA
 * backend) goes to DL4J's own code.
 */
public class JavaBatchNormalizationLayer extends BatchNormalization {
  private float[] batchMean;
  private float[] batchVar;
  private float[] invStd;
  /** The training forward pass's per-channel y = x * scale + shift, for the ReLU's gate. */
  private float[] scales;
  private float[] shifts;
  /** The input of the last forward pass, when it was this class's (so backprop must be too). */
  private INDArray forwardInput;
  /** The output of the last forward pass DL4J's code ran in training, when rectified. */
  private INDArray fallbackOutput;
  /** Whether the last training forward pass ran on oneDNN (so backprop does too). */
  private boolean onOneDnn;
  private BatchNormTraining oneDnnPasses;

  public JavaBatchNormalizationLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  private boolean handles(INDArray x) {
    return x.rank() == 4 && layerConf().getCnn2DFormat() == CNN2DFormat.NCHW
        && !layerConf().isLockGammaBeta() && FloatArrays.contiguous(x);
  }

  @Override
  public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
    boolean rectified = rectified();
    if (!handles(x)) {
      forwardInput = null;
      INDArray out = super.preOutput(x, training, workspaceMgr);
      if (rectified) {
        Transforms.relu(out, false);
      }
      fallbackOutput = rectified && training == TrainingMode.TRAIN ? out : null;
      return out;
    }
    fallbackOutput = null;
    int n = (int) x.size(0);
    int channels = (int) x.size(1);
    int plane = (int) (x.size(2) * x.size(3));
    if (channels != layerConf().getNOut()) {
      throw new IllegalArgumentException(layerId() + ": input has " + channels
          + " channels, the layer " + layerConf().getNOut());
    }
    boolean train = training == TrainingMode.TRAIN;
    if (train && (batchMean == null || batchMean.length != channels)) {
      batchMean = new float[channels];
      batchVar = new float[channels];
      invStd = new float[channels];
      scales = new float[channels];
      shifts = new float[channels];
    }
    onOneDnn = train && oneDnn(channels);
    if (onOneDnn) {
      return oneDnnForward(x, workspaceMgr);
    }
    float[] gamma = vector(BatchNormalizationParamInitializer.GAMMA);
    float[] beta = vector(BatchNormalizationParamInitializer.BETA);
    // training: the running mean only shifts the sums, for precision
    float[] runningMean = vector(BatchNormalizationParamInitializer.GLOBAL_MEAN);
    float[] runningInvStd = train ? null : globalInvStd();
    float eps = (float) layerConf().getEps();
    INDArray activations =
        workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, x.shape(), 'c');
    FloatBuffer in = FloatArrays.buffer(x);
    FloatBuffer out = FloatArrays.buffer(activations);
    int stride = channels * plane;
    int count = n * plane;
    ChannelLoops.forEachRange(channels, (long) n * stride, (from, to) -> {
      float[] v = FloatArrays.scratch(0, count);
      for (int c = from; c < to; c++) {
        FloatArrays.gather(in, c * plane, stride, n, plane, v);
        float mean;
        float inv;
        if (train) {
          float k = runningMean[c];
          double sum = 0;
          double squares = 0;
          for (int start = 0; start < count; start += plane) {
            float s0 = 0, s1 = 0, q0 = 0, q1 = 0;
            int i = start;
            int end = start + plane;
            for (; i + 1 < end; i += 2) {
              float d0 = v[i] - k;
              float d1 = v[i + 1] - k;
              s0 += d0;
              s1 += d1;
              q0 += d0 * d0;
              q1 += d1 * d1;
            }
            for (; i < end; i++) {
              float d = v[i] - k;
              s0 += d;
              q0 += d * d;
            }
            sum += s0 + s1;
            squares += q0 + q1;
          }
          double m = sum / count;
          double var = Math.max(0, squares / count - m * m);
          mean = batchMean[c] = (float) (k + m);
          batchVar[c] = (float) var;
          inv = invStd[c] = (float) (1 / Math.sqrt(var + eps));
        } else {
          mean = runningMean[c];
          inv = runningInvStd[c];
        }
        float scale = gamma[c] * inv;
        float shift = beta[c] - mean * scale;
        if (train) {
          scales[c] = scale;
          shifts[c] = shift;
        }
        if (rectified) {
          for (int i = 0; i < count; i++) {
            v[i] = Math.max(v[i] * scale + shift, 0f);
          }
        } else {
          for (int i = 0; i < count; i++) {
            v[i] = v[i] * scale + shift;
          }
        }
        FloatArrays.scatter(v, out, c * plane, stride, n, plane);
      }
    });
    forwardInput = train ? x : null;
    return activations;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    if (forwardInput == null || forwardInput != input) {
      if (fallbackOutput != null) {
        // the ReLU's gradient: none where its output is 0
        epsilon = epsilon.mul(fallbackOutput.gt(0).castTo(epsilon.dataType()));
      }
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    assertInputSet(true);
    epsilon = FloatArrays.contiguousOrCopy(epsilon);
    int n = (int) input.size(0);
    int channels = (int) input.size(1);
    float[] dGamma = new float[channels];
    float[] dBeta = new float[channels];
    if (onOneDnn) {
      INDArray nextEpsilon = workspaceMgr.createUninitialized(
          ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
      oneDnnPasses.backward(FloatArrays.buffer(input), true,
          param(BatchNormalizationParamInitializer.GAMMA),
          param(BatchNormalizationParamInitializer.BETA), FloatArrays.buffer(epsilon),
          FloatArrays.buffer(nextEpsilon), dGamma, dBeta, n, (int) input.size(2),
          (int) input.size(3));
      return gradients(dGamma, dBeta, nextEpsilon);
    }
    int plane = (int) (input.size(2) * input.size(3));
    int stride = channels * plane;
    int count = n * plane;
    float[] gamma = vector(BatchNormalizationParamInitializer.GAMMA);
    boolean rectified = rectified();
    float[] mean = batchMean;
    float[] inv = invStd;
    INDArray nextEpsilon = workspaceMgr.createUninitialized(
        ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    FloatBuffer in = FloatArrays.buffer(input);
    FloatBuffer upstream = FloatArrays.buffer(epsilon);
    FloatBuffer out = FloatArrays.buffer(nextEpsilon);
    ChannelLoops.forEachRange(channels, (long) n * stride, (from, to) -> {
      float[] x = FloatArrays.scratch(0, count);
      float[] g = FloatArrays.scratch(1, count);
      for (int c = from; c < to; c++) {
        FloatArrays.gather(in, c * plane, stride, n, plane, x);
        FloatArrays.gather(upstream, c * plane, stride, n, plane, g);
        float m = mean[c];
        if (rectified) {
          // the ReLU's gradient: none where the forward pass's output was 0 (its own scale and
          // shift, so the same decision)
          float scale = scales[c];
          float shift = shifts[c];
          for (int i = 0; i < count; i++) {
            g[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i])
                & positive(x[i] * scale + shift));
          }
        }
        double sumGrad = 0;
        double sumGradCentred = 0;
        for (int start = 0; start < count; start += plane) {
          int end = start + plane;
          float g0 = 0, g1 = 0, x0 = 0, x1 = 0;
          int i = start;
          for (; i + 1 < end; i += 2) {
            g0 += g[i];
            g1 += g[i + 1];
            x0 += g[i] * (x[i] - m);
            x1 += g[i + 1] * (x[i + 1] - m);
          }
          for (; i < end; i++) {
            g0 += g[i];
            x0 += g[i] * (x[i] - m);
          }
          sumGrad += g0 + g1;
          sumGradCentred += x0 + x1;
        }
        float db = (float) sumGrad;
        float dg = (float) (sumGradCentred * inv[c]);
        dBeta[c] = db;
        dGamma[c] = dg;
        // dx = gamma/std * (g - dBeta/M - xhat * dGamma/M), xhat = (x - mean)/std
        float a = gamma[c] * inv[c];
        float b = -a * inv[c] * dg / count;
        float d = -a * db / count - b * m;
        for (int i = 0; i < count; i++) {
          g[i] = a * g[i] + b * x[i] + d;
        }
        FloatArrays.scatter(g, out, c * plane, stride, n, plane);
      }
    });
    return gradients(dGamma, dBeta, nextEpsilon);
  }

  /** The gradient of gamma and beta, the running statistics' update, the input gradient. */
  private Pair<Gradient, INDArray> gradients(float[] dGamma, float[] dBeta, INDArray nextEpsilon) {
    Gradient gradient = new DefaultGradient();
    INDArray dGammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
    INDArray dBetaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
    FloatArrays.assign(dGammaView, dGamma);
    FloatArrays.assign(dBetaView, dBeta);
    gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
    gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
    runningStatisticsUpdate(gradient);
    return new Pair<>(gradient, nextEpsilon);
  }

  /** Whether a training pass over {@code channels} channels runs on oneDNN here. */
  private boolean oneDnn(int channels) {
    return channels % BatchNormTraining.BLOCK == 0 && OneDnn.available()
        && FloatArrays.dense(getParam(BatchNormalizationParamInitializer.GAMMA))
        && FloatArrays.dense(getParam(BatchNormalizationParamInitializer.BETA));
  }

  /** The training forward pass on oneDNN: output, batch statistics (for the backward pass). */
  private INDArray oneDnnForward(INDArray x, LayerWorkspaceMgr workspaceMgr) {
    int channels = (int) x.size(1);
    if (oneDnnPasses == null) {
      oneDnnPasses = new BatchNormTraining(channels, layerConf().getEps(), rectified());
    }
    INDArray activations =
        workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, x.shape(), 'c');
    oneDnnPasses.forward(FloatArrays.buffer(x), param(BatchNormalizationParamInitializer.GAMMA),
        param(BatchNormalizationParamInitializer.BETA), FloatArrays.buffer(activations),
        batchMean, batchVar, (int) x.size(0), (int) x.size(2), (int) x.size(3));
    forwardInput = x;
    return activations;
  }

  private FloatBuffer param(String name) {
    return FloatArrays.buffer(getParam(name));
  }

  /**
   * DL4J's running statistics: applied as "gradients" that a no-op updater subtracts, so
   * mean[t+1] = mean[t] - (1 - decay)(mean[t] - batchMean), and the same for the variance
   * (or its log10 standard deviation).
   */
  private void runningStatisticsUpdate(Gradient gradient) {
    double decay = layerConf().getDecay();
    int channels = batchMean.length;
    float[] globalMean = vector(BatchNormalizationParamInitializer.GLOBAL_MEAN);
    float[] meanStep = new float[channels];
    for (int c = 0; c < channels; c++) {
      meanStep[c] = (float) ((globalMean[c] - batchMean[c]) * (1 - decay));
    }
    INDArray meanView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
    FloatArrays.assign(meanView, meanStep);
    gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, meanView);
    float[] varStep = new float[channels];
    String key;
    if (layerConf().isUseLogStd()) {
      key = BatchNormalizationParamInitializer.GLOBAL_LOG_STD;
      float[] log10Std = vector(key);
      for (int c = 0; c < channels; c++) {
        double var = Math.pow(10, 2.0 * log10Std[c]);
        double next = decay * var + (1 - decay) * batchVar[c];
        varStep[c] = (float) (0.5 * Math.log10(var / next));
      }
    } else {
      key = BatchNormalizationParamInitializer.GLOBAL_VAR;
      float[] var = vector(key);
      for (int c = 0; c < channels; c++) {
        varStep[c] = (float) ((var[c] - batchVar[c]) * (1 - decay));
      }
    }
    INDArray varView = gradientViews.get(key);
    FloatArrays.assign(varView, varStep);
    gradient.setGradientFor(key, varView);
  }

  /** 1 / sqrt(running variance + eps) per channel, as DL4J's inference computes it. */
  private float[] globalInvStd() {
    double eps = layerConf().getEps();
    float[] out;
    if (layerConf().isUseLogStd()) {
      out = vector(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
      for (int c = 0; c < out.length; c++) {
        out[c] = (float) (1 / Math.sqrt(Math.pow(10, 2.0 * out[c]) + eps));
      }
    } else {
      out = vector(BatchNormalizationParamInitializer.GLOBAL_VAR);
      for (int c = 0; c < out.length; c++) {
        out[c] = (float) (1 / Math.sqrt(out[c] + eps));
      }
    }
    return out;
  }

  /**
   * All ones where {@code y > 0}, else 0 (also for -0, +0 and negative values): the ReLU's
   * gradient gate without a branch, which the sign of post-BatchNorm values would mispredict
   * half the time.
   */
  static int positive(float y) {
    int bits = Float.floatToRawIntBits(y);
    return ~(((bits - 1) | bits) >> 31);
  }

  private boolean rectified() {
    return layerConf() instanceof JavaBatchNormalization conf && conf.isRectified();
  }

  private float[] vector(String param) {
    return FloatArrays.values(getParam(param));
  }
}
