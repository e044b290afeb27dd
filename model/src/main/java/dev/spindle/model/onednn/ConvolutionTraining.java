package dev.spindle.model.onednn;

import static dev.spindle.model.onednn.OneDnn.check;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import dev.spindle.model.onednn.Natives.Memory;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * A convolution's training passes run by oneDNN directly on the caller's channels-first float
 * arrays: forward, and backward to the input, the weights and the bias. Stride 1, no dilation,
 * an odd kernel padded to keep the size ("same"), a bias. Per input shape the primitives work
 * in the layouts oneDNN picks for this CPU (blocked channels), with reorders from and to the
 * caller's arrays; the forward pass keeps its reordered input for the weight gradient. DL4J's
 * layer helper runs the same primitives but (M2.1) split one batch poorly between two threads;
 * called directly, oneDNN uses both. Not thread-safe.
 */
public final class ConvolutionTraining extends TrainingOp<ConvolutionTraining.Passes> {
  private final long inChannels;
  private final long outChannels;
  private final long[] kernel;

  /** A convolution of {@code inChannels} to {@code outChannels} with an odd {@code kernel}. */
  public ConvolutionTraining(int inChannels, int outChannels, int[] kernel) {
    if (kernel.length != 2 || kernel[0] % 2 == 0 || kernel[1] % 2 == 0) {
      throw new IllegalArgumentException(
          "needs an odd 2D kernel: " + java.util.Arrays.toString(kernel));
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernel = new long[] {kernel[0], kernel[1]};
  }

  /**
   * {@code output} = the convolution of {@code input} ({@code batch x inChannels x height x
   * width}, row-major) with {@code weights} ({@code outChannels x inChannels x kh x kw}) plus
   * {@code bias}; {@code output} is {@code batch x outChannels x height x width}.
   */
  public void forward(FloatBuffer input, FloatBuffer weights, FloatBuffer bias,
      FloatBuffer output, int batch, int height, int width) {
    Passes p = passes(batch, height, width);
    bind(p.src, input);
    bind(p.weights, weights);
    bind(p.bias, bias);
    bind(p.dst, output);
    run(p, p.forward);
    p.forwardInputKept = true;
  }

  /**
   * The gradients for {@code outputGradient} (shaped as the output): {@code inputGradient} (as
   * the input; null: not wanted), {@code weightGradient} and {@code biasGradient} (overwritten).
   * {@code input} and {@code weights} are those of the forward pass; {@code sameInput} says
   * that the last forward pass of this shape had this very input, unchanged since.
   */
  public void backward(FloatBuffer input, boolean sameInput, FloatBuffer weights,
      FloatBuffer outputGradient, FloatBuffer inputGradient, FloatBuffer weightGradient,
      FloatBuffer biasGradient, int batch, int height, int width) {
    Passes p = passes(batch, height, width);
    bind(p.src, input);
    bind(p.weights, weights);
    bind(p.diffDst, outputGradient);
    bind(p.diffWeights, weightGradient);
    bind(p.diffBias, biasGradient);
    if (!(sameInput && p.forwardInputKept)) {
      run(p, p.inputForWeights);
    }
    run(p, p.outputGradientIn);
    if (inputGradient != null) {
      bind(p.diffSrc, inputGradient);
      run(p, p.backwardData);
    }
    run(p, p.backwardWeights);
  }

  private Passes passes(int batch, int height, int width) {
    return plan(List.of((long) batch, (long) height, (long) width),
        () -> new Passes(batch, height, width));
  }

  /** The primitives, reorders and buffers of one input shape. */
  final class Passes extends ShapePlan {
    /** The caller's arrays, bound before each use. */
    final Memory src;
    final Memory weights;
    final Memory bias;
    final Memory dst;
    final Memory diffDst;
    final Memory diffSrc;
    final Memory diffWeights;
    final Memory diffBias;
    final List<Step> forward = new ArrayList<>();
    /** Reorders the input for the weight gradient when the forward pass's copy is stale. */
    final List<Step> inputForWeights = new ArrayList<>();
    /** Reorders the output gradient for both backward primitives. */
    final List<Step> outputGradientIn = new ArrayList<>();
    final List<Step> backwardData = new ArrayList<>();
    final List<Step> backwardWeights = new ArrayList<>();
    /** Whether the weight-gradient primitive's input holds the last forward pass's input. */
    boolean forwardInputKept;

    Passes(long batch, long height, long width) {
      super(ConvolutionTraining.this.engine);
      try {
        long[] srcDims = {batch, inChannels, height, width};
        long[] dstDims = {batch, outChannels, height, width};
        long[] weightDims = {outChannels, inChannels, kernel[0], kernel[1]};
        long[] pad = {kernel[0] / 2, kernel[1] / 2};
        long[] stride = {1, 1};
        src = user(srcDims, dnnl_nchw);
        weights = user(weightDims, dnnl_oihw);
        bias = user(new long[] {outChannels}, dnnl_x);
        dst = user(dstDims, dnnl_nchw);
        diffDst = user(dstDims, dnnl_nchw);
        diffSrc = user(srcDims, dnnl_nchw);
        diffWeights = user(weightDims, dnnl_oihw);
        diffBias = user(new long[] {outChannels}, dnnl_x);

        dnnl_convolution_desc_t op = new dnnl_convolution_desc_t();
        check(dnnl_convolution_forward_desc_init(op, dnnl_forward_training,
            dnnl_convolution_direct, any(srcDims), any(weightDims), bias.md(), any(dstDims),
            stride, pad, pad), "convolution_forward_desc_init");
        dnnl_primitive_desc fwd = primitiveDesc(op, null);
        Memory fwdSrc = into(src, fwd, dnnl_query_src_md, forward, true);
        Memory fwdWeights = into(weights, fwd, dnnl_query_weights_md, forward);
        Memory fwdDst = outOf(dst, fwd, dnnl_query_dst_md);
        forward.add(step(fwd,
            new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
            fwdSrc, fwdWeights, bias, fwdDst));
        backFrom(fwdDst, dst, forward);

        op = new dnnl_convolution_desc_t();
        check(dnnl_convolution_backward_data_desc_init(op, dnnl_convolution_direct,
            any(srcDims), any(weightDims), any(dstDims), stride, pad, pad),
            "convolution_backward_data_desc_init");
        dnnl_primitive_desc data = primitiveDesc(op, fwd);
        Memory dataDiffDst = into(diffDst, data, dnnl_query_diff_dst_md, outputGradientIn);
        Memory dataWeights = into(weights, data, dnnl_query_weights_md, backwardData);
        Memory dataDiffSrc = outOf(diffSrc, data, dnnl_query_diff_src_md);
        backwardData.add(step(data,
            new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
            dataDiffDst, dataWeights, dataDiffSrc));
        backFrom(dataDiffSrc, diffSrc, backwardData);

        op = new dnnl_convolution_desc_t();
        check(dnnl_convolution_backward_weights_desc_init(op, dnnl_convolution_direct,
            any(srcDims), any(weightDims), diffBias.md(), any(dstDims), stride, pad, pad),
            "convolution_backward_weights_desc_init");
        dnnl_primitive_desc grads = primitiveDesc(op, fwd);
        Memory gradSrc;
        if (fwdSrc != src && same(fwdSrc, grads, dnnl_query_src_md)) {
          gradSrc = fwdSrc; // filled by the forward pass, or by inputForWeights
          inputForWeights.add(own.reorder(engine, src, fwdSrc));
        } else {
          gradSrc = into(src, grads, dnnl_query_src_md, backwardWeights);
        }
        Memory gradDiffDst = same(dataDiffDst, grads, dnnl_query_diff_dst_md)
            ? dataDiffDst
            : into(diffDst, grads, dnnl_query_diff_dst_md, backwardWeights);
        Memory gradWeights = outOf(diffWeights, grads, dnnl_query_diff_weights_md);
        backwardWeights.add(step(grads,
            new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
            gradSrc, gradDiffDst, gradWeights, diffBias));
        backFrom(gradWeights, diffWeights, backwardWeights);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }
  }
}
