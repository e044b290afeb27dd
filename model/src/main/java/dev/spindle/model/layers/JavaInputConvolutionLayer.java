package dev.spindle.model.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's ConvolutionLayer as a network's first layer, with the channels-first float32 case
 * (odd kernel, stride 1, "same" padding, bias, no activation, at most
 * {@value #MAX_INPUT_CHANNELS} input channels) computed in Java on the CPU backend. oneDNN's
 * kernels are built for many channels: with one input channel M2.1's backward pass took as long
 * as that of the third convolution, 32 times its work, and computed a gradient for the input
 * images that nobody reads. Here the backward pass computes the weight and bias gradients
 * only, and returns no input gradient (DL4J discards the first layer's anyway).
 *
 * <p>Each input image is copied into a zero-bordered buffer whose rows are the padded width
 * apart; every output pixel of a plane then lies in one flat range of that layout, and each
 * kernel tap reads the range at a fixed offset, copied once per image into an array of its own:
 * a tap is one long multiply-add loop that the JIT vectorises (three taps a pass). Forward:
 * images in parallel; backward: output channels in parallel, each tap's products summed per
 * position across the batch, then along the range. At 256 images of 28x28, 32 output channels
 * (2 cores): forward ~9 ms, backward ~11 ms, against DL4J's ~12-30 and ~28-50. Anything else
 * goes to DL4J's own code.
 */
public class JavaInputConvolutionLayer extends OwnConvolutionLayer {
  /** The most input channels this layer computes itself (greyscale and colour images). */
  static final int MAX_INPUT_CHANNELS = 4;

  /** The input the last forward pass computed in Java (null: DL4J's own code ran). */
  private INDArray javaForwardFor;

  public JavaInputConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  private boolean handles(INDArray x) {
    return getIndex() == 0 && plainSameConvolution(x) && x.size(1) <= MAX_INPUT_CHANNELS;
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    if (!handles(input)) {
      javaForwardFor = null;
      return super.activate(training, workspaceMgr);
    }
    Planes p = new Planes(input, layerConf().getKernelSize(), (int) layerConf().getNOut());
    float[] weights = FloatArrays.values(getParam(ConvolutionParamInitializer.WEIGHT_KEY));
    float[] bias = FloatArrays.values(getParam(ConvolutionParamInitializer.BIAS_KEY));
    INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
        new long[] {p.images, p.outChannels, p.height, p.width}, 'c');
    FloatBuffer in = FloatArrays.buffer(input);
    FloatBuffer out = FloatArrays.buffer(output);
    ChannelLoops.forEachRange(p.images, output.length(), (from, to) -> {
      Buffers b = Buffers.of(p, 0);
      float[] acc = b.acc;
      for (int image = from; image < to; image++) {
        p.shift(in, image, b);
        for (int co = 0; co < p.outChannels; co++) {
          Arrays.fill(acc, 0, p.span, bias[co]);
          int first = co * p.taps;
          int t = 0;
          for (; t + 3 <= p.taps; t += 3) { // three taps a pass: a third of the acc traffic
            float w0 = weights[first + t];
            float w1 = weights[first + t + 1];
            float w2 = weights[first + t + 2];
            float[] tap0 = b.shifted[t];
            float[] tap1 = b.shifted[t + 1];
            float[] tap2 = b.shifted[t + 2];
            for (int i = 0; i < p.span; i++) {
              acc[i] += w0 * tap0[i] + w1 * tap1[i] + w2 * tap2[i];
            }
          }
          for (; t < p.taps; t++) {
            float w = weights[first + t];
            float[] tap = b.shifted[t];
            for (int i = 0; i < p.span; i++) {
              acc[i] += w * tap[i];
            }
          }
          int plane = (image * p.outChannels + co) * p.height * p.width;
          for (int y = 0; y < p.height; y++) {
            out.put(plane + y * p.width, acc, y * p.paddedWidth, p.width);
          }
        }
      }
    });
    javaForwardFor = input;
    return output;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    if (javaForwardFor == null || javaForwardFor != input) {
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    epsilon = FloatArrays.contiguousOrCopy(epsilon);
    Planes p = new Planes(input, layerConf().getKernelSize(), (int) layerConf().getNOut());
    float[] weightGrad = new float[p.outChannels * p.taps];
    float[] biasGrad = new float[p.outChannels];
    FloatBuffer in = FloatArrays.buffer(input);
    FloatBuffer upstream = FloatArrays.buffer(epsilon);
    int outPlane = p.height * p.width;
    ChannelLoops.forEachRange(p.outChannels, epsilon.length(), (from, to) -> {
      Buffers b = Buffers.of(p, to - from);
      float[] delta = b.acc; // the upstream gradient plane, laid out as the range
      for (int image = 0; image < p.images; image++) {
        p.shift(in, image, b);
        for (int co = from; co < to; co++) {
          int plane = (image * p.outChannels + co) * outPlane;
          for (int y = 0; y < p.height; y++) {
            int row = y * p.paddedWidth;
            upstream.get(plane + y * p.width, delta, row, p.width);
            if (y < p.height - 1) {
              Arrays.fill(delta, row + p.width, row + p.paddedWidth, 0f);
            }
          }
          float[][] sums = b.sums[co - from];
          int t = 0;
          for (; t + 3 <= p.taps; t += 3) { // three taps a pass: one read of delta for three
            float[] sum0 = sums[t];
            float[] sum1 = sums[t + 1];
            float[] sum2 = sums[t + 2];
            float[] tap0 = b.shifted[t];
            float[] tap1 = b.shifted[t + 1];
            float[] tap2 = b.shifted[t + 2];
            for (int i = 0; i < p.span; i++) {
              float d = delta[i];
              sum0[i] += d * tap0[i];
              sum1[i] += d * tap1[i];
              sum2[i] += d * tap2[i];
            }
          }
          for (; t < p.taps; t++) {
            float[] sum = sums[t];
            float[] tap = b.shifted[t];
            for (int i = 0; i < p.span; i++) {
              sum[i] += delta[i] * tap[i];
            }
          }
          float[] biasSum = sums[p.taps];
          for (int i = 0; i < p.span; i++) {
            biasSum[i] += delta[i];
          }
        }
      }
      for (int co = from; co < to; co++) {
        float[][] sums = b.sums[co - from];
        for (int t = 0; t < p.taps; t++) {
          weightGrad[co * p.taps + t] = sum(sums[t], p.span);
        }
        biasGrad[co] = sum(sums[p.taps], p.span);
      }
    });
    INDArray weightGradView = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
    INDArray biasGradView = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
    FloatArrays.assign(weightGradView, weightGrad);
    FloatArrays.assign(biasGradView, biasGrad);
    return filledGradients(null);
  }

  private static float sum(float[] values, int length) {
    double total = 0;
    for (int i = 0; i < length; i++) {
      total += values[i];
    }
    return (float) total;
  }

  /**
   * A channels-first batch in the padded layout: each input channel of an image is a
   * (height + kh - 1) x (width + kw - 1) plane with a zero border; output pixel (y, x) sits at
   * y * paddedWidth + x of a range {@code span} long, and kernel tap (c, ky, kx) reads the
   * padded image at that index plus {@code tapOffset[t]}.
   */
  private static final class Planes {
    final int images;
    final int channels;
    final int height;
    final int width;
    final int outChannels;
    final int taps;
    final int paddedHeight;
    final int paddedWidth;
    final int paddedImage;
    final int span;
    final int[] tapOffset;
    private final int top;
    private final int left;

    Planes(INDArray x, int[] kernel, int outChannels) {
      images = (int) x.size(0);
      channels = (int) x.size(1);
      height = (int) x.size(2);
      width = (int) x.size(3);
      this.outChannels = outChannels;
      int kh = kernel[0];
      int kw = kernel[1];
      top = (kh - 1) / 2;
      left = (kw - 1) / 2;
      paddedHeight = height + kh - 1;
      paddedWidth = width + kw - 1;
      paddedImage = channels * paddedHeight * paddedWidth;
      span = (height - 1) * paddedWidth + width;
      taps = channels * kh * kw;
      tapOffset = new int[taps];
      int t = 0;
      for (int c = 0; c < channels; c++) {
        for (int ky = 0; ky < kh; ky++) {
          for (int kx = 0; kx < kw; kx++) {
            tapOffset[t++] = c * paddedHeight * paddedWidth + ky * paddedWidth + kx;
          }
        }
      }
    }

    /**
     * Image {@code image} of the batch, zero-bordered, into {@code b.padded}, then each tap's
     * view of it into its own {@code b.shifted} array: the loops then index every array from 0,
     * which the JIT vectorises (with an offset into one of two arrays it cannot rule out that
     * they overlap, and runs them scalar, 5x slower).
     */
    void shift(FloatBuffer batch, int image, Buffers b) {
      float[] padded = b.padded;
      Arrays.fill(padded, 0, paddedImage, 0f);
      int plane = height * width;
      for (int c = 0; c < channels; c++) {
        int from = (image * channels + c) * plane;
        int at = c * paddedHeight * paddedWidth + top * paddedWidth + left;
        for (int y = 0; y < height; y++) {
          batch.get(from + y * width, padded, at + y * paddedWidth, width);
        }
      }
      for (int t = 0; t < taps; t++) {
        System.arraycopy(padded, tapOffset[t], b.shifted[t], 0, span);
      }
    }
  }

  /**
   * One thread's working arrays: the padded image, each tap's shifted copy, a range-long row
   * (forward: the output plane; backward: the upstream gradient plane) and, for the backward
   * pass, per output channel of the thread's range one sum per tap and one for the bias (zeroed
   * by {@link #of}).
   */
  private static final class Buffers {
    private static final ThreadLocal<Buffers> MINE = ThreadLocal.withInitial(Buffers::new);

    float[] padded = new float[0];
    float[][] shifted = new float[0][];
    float[] acc = new float[0];
    float[][][] sums = new float[0][][];

    static Buffers of(Planes p, int sumChannels) {
      Buffers b = MINE.get();
      if (b.padded.length < p.paddedImage) {
        b.padded = new float[p.paddedImage];
      }
      if (b.shifted.length < p.taps || b.shifted[0].length < p.span) {
        b.shifted = new float[p.taps][p.span];
      }
      if (b.acc.length < p.span) {
        b.acc = new float[p.span];
      }
      if (sumChannels > 0) {
        if (b.sums.length < sumChannels || b.sums[0].length < p.taps + 1
            || b.sums[0][0].length < p.span) {
          b.sums = new float[sumChannels][p.taps + 1][p.span];
        }
        for (int c = 0; c < sumChannels; c++) {
          for (int t = 0; t <= p.taps; t++) {
            Arrays.fill(b.sums[c][t], 0, p.span, 0f);
          }
        }
      }
      return b;
    }
  }
}
