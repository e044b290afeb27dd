package dev.spindle.model.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's SubsamplingLayer with 2x2, stride-2 max pooling of a channels-first float32 batch of
 * even height and width computed in Java (on the CPU backend): the forward pass remembers which
 * of the four inputs won each window, the backward pass routes each gradient there (first of
 * equal maxima wins, as in DL4J). On DL4J M2.1 its native pooling ops took a quarter of a
 * training step on the default network. Inference on a channels-last batch (serving's copies)
 * of a few images runs in Java too. Any other shape or setting goes to DL4J's own code.
 */
public class JavaMaxPoolingLayer extends SubsamplingLayer {
  /** Per output: which input of its window (0..3, row-major) was the largest. */
  private byte[] winners;
  /** The input {@link #winners} belongs to (null: DL4J's own code ran). */
  private INDArray winnersFor;

  public JavaMaxPoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** Whether this layer pools {@code x} in Java, laid out as {@code format}. */
  private boolean handles(INDArray x, CNN2DFormat format) {
    var conf = layerConf();
    int heightAxis = format == CNN2DFormat.NCHW ? 2 : 1;
    return conf.getPoolingType() == PoolingType.MAX
        && Arrays.equals(conf.getKernelSize(), new int[] {2, 2})
        && Arrays.equals(conf.getStride(), new int[] {2, 2})
        && Arrays.equals(conf.getDilation(), new int[] {1, 1})
        && (conf.getPadding() == null || Arrays.equals(conf.getPadding(), new int[] {0, 0}))
        && conf.getCnn2dDataFormat() == format
        && x.rank() == 4 && x.size(heightAxis) % 2 == 0 && x.size(heightAxis + 1) % 2 == 0
        && FloatArrays.contiguous(x);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    INDArray x = input;
    if (!training && x.length() < ChannelLoops.PARALLEL_THRESHOLD
        && handles(x, CNN2DFormat.NHWC)) {
      winnersFor = null;
      return poolChannelsLast(x, workspaceMgr);
    }
    if (!handles(x, CNN2DFormat.NCHW)) {
      winnersFor = null;
      return super.activate(training, workspaceMgr);
    }
    Windows w = new Windows(x);
    int width = w.width;
    int inPlane = w.inPlane;
    int outPlane = w.outPlane;
    int outLength = w.planes * outPlane;
    byte[] won = winners = winners != null && winners.length >= outLength
        ? winners : new byte[outLength];
    INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
        new long[] {x.size(0), x.size(1), w.height / 2, w.outW}, 'c');
    FloatBuffer in = FloatArrays.buffer(x);
    FloatBuffer out = FloatArrays.buffer(output);
    ChannelLoops.forEachRange(w.planes, x.length(), (from, to) -> {
      float[] v = FloatArrays.scratch(0, inPlane);
      float[] pooled = FloatArrays.scratch(1, outPlane);
      for (int p = from; p < to; p++) {
        in.get(p * inPlane, v, 0, inPlane);
        int winnerBase = p * outPlane;
        for (int o = 0; o < outPlane; o++) {
          int top = w.topLeft(o);
          float a = v[top];
          float b = v[top + 1];
          float c = v[top + width];
          float d = v[top + width + 1];
          // first of equal maxima wins; selects rather than branches (which of the four wins
          // is as good as random)
          float ab = Math.max(a, b);
          float cd = Math.max(c, d);
          int atAb = b > a ? 1 : 0;
          int atCd = d > c ? 3 : 2;
          float max = Math.max(ab, cd);
          byte at = (byte) (cd > ab ? atCd : atAb);
          pooled[o] = max;
          won[winnerBase + o] = at;
        }
        out.put(p * outPlane, pooled, 0, outPlane);
      }
    });
    winnersFor = x;
    return output;
  }

  /**
   * Inference on a small channels-last batch (serving's inference copies run NHWC): the maximum
   * of each window, channel by channel. For one image DL4J's pooling took 41-87 us, mostly its
   * fixed cost per call, this 28-60; from a few images on DL4J's is faster (64 images: 0.4-0.7
   * ms against 1.1-1.6 here, where the JIT cannot vectorise the loop).
   */
  private INDArray poolChannelsLast(INDArray x, LayerWorkspaceMgr workspaceMgr) {
    int height = (int) x.size(1);
    int width = (int) x.size(2);
    int channels = (int) x.size(3);
    int row = width * channels;
    int image = height * row;
    int outImage = image / 4;
    INDArray output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
        new long[] {x.size(0), height / 2, width / 2, channels}, 'c');
    FloatBuffer in = FloatArrays.buffer(x);
    FloatBuffer out = FloatArrays.buffer(output);
    ChannelLoops.forEachRange((int) x.size(0), x.length(), (from, to) -> {
      float[] v = FloatArrays.scratch(0, image);
      float[] pooled = FloatArrays.scratch(1, outImage);
      for (int n = from; n < to; n++) {
        in.get(n * image, v, 0, image);
        int o = 0;
        for (int y = 0; y < height; y += 2) {
          for (int left = y * row; left < (y + 1) * row; left += 2 * channels) {
            for (int c = left; c < left + channels; c++) {
              pooled[o++] = Math.max(Math.max(v[c], v[c + channels]),
                  Math.max(v[c + row], v[c + row + channels]));
            }
          }
        }
        out.put(n * outImage, pooled, 0, outImage);
      }
    });
    return output;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    if (winnersFor == null || winnersFor != input) {
      return super.backpropGradient(epsilon, workspaceMgr);
    }
    epsilon = FloatArrays.contiguousOrCopy(epsilon);
    Windows w = new Windows(input);
    int inPlane = w.inPlane;
    int outPlane = w.outPlane;
    byte[] won = winners;
    INDArray epsAtInput = workspaceMgr.createUninitialized(
        ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
    FloatBuffer upstream = FloatArrays.buffer(epsilon);
    FloatBuffer out = FloatArrays.buffer(epsAtInput);
    ChannelLoops.forEachRange(w.planes, input.length(), (from, to) -> {
      float[] dx = FloatArrays.scratch(0, inPlane);
      float[] g = FloatArrays.scratch(1, outPlane);
      for (int p = from; p < to; p++) {
        upstream.get(p * outPlane, g, 0, outPlane);
        Arrays.fill(dx, 0, inPlane, 0f);
        int winnerBase = p * outPlane;
        for (int o = 0; o < outPlane; o++) {
          int at = won[winnerBase + o];
          dx[w.topLeft(o) + (at >> 1) * w.width + (at & 1)] = g[o];
        }
        out.put(p * inPlane, dx, 0, inPlane);
      }
    });
    return new Pair<>(new DefaultGradient(), epsAtInput);
  }

  /** The 2x2 windows over a channels-first batch: planes (images x channels) and their sizes. */
  private static final class Windows {
    final int planes;
    final int height;
    final int width;
    final int inPlane;
    final int outW;
    final int outPlane;

    Windows(INDArray x) {
      planes = (int) (x.size(0) * x.size(1));
      height = (int) x.size(2);
      width = (int) x.size(3);
      inPlane = height * width;
      outW = width / 2;
      outPlane = (height / 2) * outW;
    }

    /** Where in its input plane output {@code o}'s window starts (its top-left value). */
    int topLeft(int o) {
      int row = o / outW;
      return 2 * row * width + 2 * (o - row * outW);
    }
  }
}
