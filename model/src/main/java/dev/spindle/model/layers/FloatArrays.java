package dev.spindle.model.layers;

import dev.spindle.model.runtime.Dl4jRuntime;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Block copies between float32 INDArrays in row-major order with default strides and Java
 * {@code float[]} scratch, so the layers' loops run on heap arrays the JIT vectorises and each
 * value of a large batch crosses main memory once per pass: a block is copied in, worked on
 * while it is in cache, and copied out.
 */
public final class FloatArrays {
  private static final ThreadLocal<float[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new float[2][0]);

  /**
   * Whether ND4J keeps arrays in this process's memory (the CPU backend). On CUDA the values
   * live on the GPU, its host copies may be stale, and DL4J's cuDNN layers are the fast path:
   * this package's layers leave everything to them.
   */
  private static final boolean ON_HOST = Dl4jRuntime.onCpu();

  private FloatArrays() {}

  /** The values of {@code a} (any shape, layout, backend) in row-major order, in a new array. */
  public static float[] values(INDArray a) {
    return (a.isVector() ? a : a.dup('c').reshape(a.length())).toFloatVector();
  }

  /**
   * The rows of the matrix {@code a} as arrays, cut from one row-major copy of its values.
   * ND4J's {@code toFloatMatrix} makes a view, a copy and their shape buffers for every row,
   * each native buffer with its bookkeeping: for a dense layer's 3,136 x 128 weights that was
   * most of the ~240 ms an inference copy took to build, for a batch's outputs a few
   * microseconds an image.
   */
  public static float[][] rows(INDArray a) {
    if (a.rank() != 2) {
      throw new IllegalArgumentException("rows of a matrix, got shape "
          + java.util.Arrays.toString(a.shape()));
    }
    return rows(values(a), (int) a.size(1));
  }

  /** Row-major {@code values} cut into rows of {@code columns} values. */
  public static float[][] rows(float[] values, int columns) {
    float[][] rows = new float[values.length / columns][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = java.util.Arrays.copyOfRange(values, i * columns, (i + 1) * columns);
    }
    return rows;
  }

  /** {@code values}, row-major, into {@code view} (of as many values). */
  static void assign(INDArray view, float[] values) {
    view.assign(Nd4j.createFromArray(values).reshape(view.shape()));
  }

  /** Whether {@code a} can be read in blocks: in host memory, float32, row-major, no gaps. */
  public static boolean contiguous(INDArray a) {
    return ON_HOST && a.dataType() == DataType.FLOAT && a.ordering() == 'c'
        && rowMajorDense(a.shape(), a.stride()) && a.length() <= Integer.MAX_VALUE;
  }

  /** {@code a} itself when it is {@link #contiguous}, else a row-major copy of it. */
  public static INDArray contiguousOrCopy(INDArray a) {
    return contiguous(a) ? a : a.dup('c');
  }

  /**
   * Whether {@code a} is {@link #contiguous} but for its ordering flag: ND4J may call a [1, n]
   * view (a parameter vector) column-major although its values lie in order.
   */
  public static boolean dense(INDArray a) {
    return ON_HOST && a.dataType() == DataType.FLOAT && rowMajorDense(a.shape(), a.stride())
        && a.length() <= Integer.MAX_VALUE;
  }

  /**
   * Whether values lie row-major with no gaps. A dimension of size 1 may carry any stride (ND4J
   * gives [n, 1, h, w] arrays strides that its own default-strides check rejects).
   */
  static boolean rowMajorDense(long[] shape, long[] stride) {
    long expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= shape[d];
    }
    return true;
  }

  /** The values of {@code a} (which must be {@link #contiguous}) as a buffer indexed from 0. */
  public static FloatBuffer buffer(INDArray a) {
    return a.data().asNioFloat().position((int) a.offset()).slice();
  }

  /**
   * This thread's scratch array number {@code slot} (0 or 1), at least {@code length} long;
   * its contents are whatever the thread left there.
   */
  static float[] scratch(int slot, int length) {
    float[][] arrays = SCRATCH.get();
    if (arrays[slot].length < length) {
      arrays[slot] = new float[length];
    }
    return arrays[slot];
  }

  /** Copies {@code n} planes of {@code plane} values, {@code stride} apart from {@code first}. */
  static void gather(FloatBuffer from, int first, int stride, int n, int plane, float[] to) {
    for (int s = 0; s < n; s++) {
      from.get(first + s * stride, to, s * plane, plane);
    }
  }

  /** The inverse of {@link #gather}. */
  static void scatter(float[] from, FloatBuffer to, int first, int stride, int n, int plane) {
    for (int s = 0; s < n; s++) {
      to.put(first + s * stride, from, s * plane, plane);
    }
  }
}
