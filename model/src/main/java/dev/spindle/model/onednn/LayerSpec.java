package dev.spindle.model.onednn;

/**
 * One layer of a {@link OneDnnNetwork}, with its parameters in oneDNN's plain layouts; spatial
 * sizes come from the input at plan time. A padding is DL4J's (height, width), applied on both
 * sides, or null for DL4J's "Same" mode (computed from the input size as DL4J computes it).
 */
sealed interface LayerSpec {

  /** A 2D convolution; {@code weights} OIHW, {@code bias} per output channel (may be zeros). */
  record Conv(int outChannels, int inChannels, int[] kernel, int[] stride, int[] dilation,
      int[] padding, float[] weights, float[] bias, boolean relu) implements LayerSpec {}

  /** Max pooling, or average pooling without padding. */
  record Pool(boolean max, int[] kernel, int[] stride, int[] dilation, int[] padding)
      implements LayerSpec {}

  /**
   * A fully connected layer; {@code weights} one row of {@code inputs} per output, the inputs
   * flattened as the layer before delivers them ({@code channelsLastInput}: a 4D input
   * flattened height, width, channel, as DL4J flattens channels-last activations).
   */
  record Dense(int outputs, int inputs, float[] weights, float[] bias, Activation activation,
      boolean channelsLastInput) implements LayerSpec {}

  enum Activation { IDENTITY, RELU, SOFTMAX }

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
