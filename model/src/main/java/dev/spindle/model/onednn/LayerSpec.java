package dev.spindle.model.onednn;

import dev.spindle.model.layers.FloatArrays;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One layer of a {@link OneDnnNetwork}, with its parameters in oneDNN's plain layouts; spatial
 * sizes come from the input at plan time. A padding is DL4J's (height, width), applied on both
 * sides, or null for DL4J's "Same" mode (computed from the input size as DL4J computes it).
 * Weights are read-only buffers outside the Java heap ({@link #offHeap}).
 */
sealed interface LayerSpec {

  /** A 2D convolution; {@code weights} OIHW, {@code bias} per output channel (may be zeros). */
  record Conv(int outChannels, int inChannels, int[] kernel, int[] stride, int[] dilation,
      int[] padding, FloatBuffer weights, float[] bias, boolean relu) implements LayerSpec {}

  /** Max pooling, or average pooling without padding. */
  record Pool(boolean max, int[] kernel, int[] stride, int[] dilation, int[] padding)
      implements LayerSpec {}

  /**
   * A fully connected layer; {@code weights} one row of {@code inputs} per output, the inputs
   * flattened as the layer before delivers them ({@code channelsLastInput}: a 4D input
   * flattened height, width, channel, as DL4J flattens channels-last activations).
   */
  record Dense(int outputs, int inputs, FloatBuffer weights, float[] bias,
      Activation activation, boolean channelsLastInput) implements LayerSpec {}

  enum Activation { IDENTITY, RELU, SOFTMAX }

  /**
   * The values of {@code a} in row-major order, in a read-only buffer outside the Java heap.
   * A network's weights stay as long as its model serves; kept in heap arrays (the default
   * classifier's dense layer: 1.6 MB) the young collections copied each new model's weights
   * from region to region until they were old, and a swap under load made the pauses that
   * copy 4-7 ms longer (GC log of {@code bin/spindle bench-serving}).
   */
  static FloatBuffer offHeap(INDArray a) {
    FloatBuffer out = ByteBuffer.allocateDirect(Math.multiplyExact(Math.toIntExact(a.length()),
        Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    try (MemoryWorkspace none = Nd4j.getMemoryManager().scopeOutOfWorkspaces();
        INDArray rowMajor = a.dup('c')) {
      out.put(0, FloatArrays.buffer(rowMajor), 0, out.capacity());
    }
    return out.asReadOnlyBuffer();
  }

  /** Output size along one axis and the two paddings, as DL4J's convolution mode gives them. */
  static long[] axis(long in, int kernel, int stride, int dilation, int[] padding, int axis) {
    long effective = kernel + (long) (kernel - 1) * (dilation - 1);
    long out;
    long before;
    long after;
    if (padding == null) {
      out = (in + stride - 1) / stride;
      long total = Math.max(0, (out - 1) * stride + effective - in);
      before = total / 2;
      after = total - before;
    } else {
      before = padding[axis];
      out = (in + 2 * before - effective) / stride + 1;
      after = (out - 1) * stride + effective - in - before;
      if (after < 0 || out < 1) {
        throw new OneDnnException("unsupported padding for input size " + in);
      }
    }
    return new long[] {out, before, after};
  }
}
