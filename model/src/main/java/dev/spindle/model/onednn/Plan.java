package dev.spindle.model.onednn;

import static dev.spindle.model.onednn.OneDnn.check;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_ohwi;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oi;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_avg_exclude_padding;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_max;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_v2_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import dev.spindle.model.onednn.Natives.Memory;
import java.lang.ref.Cleaner;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_inner_product_desc_t;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_v2_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;

/**
 * A network's forward pass for one batch size, compiled once: a oneDNN primitive per layer,
 * each with the memory layout oneDNN picks for it on this CPU (blocked channels: no reorder
 * between layers), the weights reordered into those layouts once, the ReLUs fused into the
 * layers before them as post-ops, and a reorder only where a layout changes (into the first
 * layer that wants another, out of the last). Not thread-safe: a plan has one stream and one set
 * of buffers.
 */
final class Plan implements AutoCloseable {
  private final dnnl_engine engine = OneDnn.engine();
  private final Natives natives = new Natives();
  private final Cleaner.Cleanable cleanable;
  private final dnnl_stream stream;
  private final List<Step> steps = new ArrayList<>();
  private final Memory input;
  private final Memory output;
  private final boolean softmax;
  final int batch;
  final int inputSize;
  /** One image's output: {@code [features]}, or channels-last {@code [height, width, channels]}. */
  final long[] outputShape;

  /** The plan of {@code layers} for {@code batch} NCHW inputs of {@code c x h x w}. */
  Plan(List<LayerSpec> layers, int batch, long c, long h, long w) {
    this.batch = batch;
    this.inputSize = Math.toIntExact(c * h * w);
    this.cleanable = OneDnn.CLEANER.register(this, natives);
    try {
      stream = new dnnl_stream();
      check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream_create");
      natives.keep(stream);
      input = natives.memory(engine, desc(new long[] {batch, c, h, w}, dnnl_nchw));
      Memory current = input;
      long[] dims = {batch, c, h, w};
      for (LayerSpec layer : layers) {
        if (layer instanceof LayerSpec.Conv conv) {
          current = conv(conv, current, dims);
        } else if (layer instanceof LayerSpec.Pool pool) {
          current = pool(pool, current, dims);
        } else if (layer instanceof LayerSpec.Dense dense) {
          current = dense(dense, current, dims);
        }
        dims = dims(current.md());
      }
      softmax = !layers.isEmpty() && layers.get(layers.size() - 1) instanceof LayerSpec.Dense d
          && d.activation() == LayerSpec.Activation.SOFTMAX;
      if (dims.length == 4) {
        output = reorderTo(current, desc(dims, dnnl_nhwc));
        outputShape = new long[] {dims[2], dims[3], dims[1]};
      } else {
        output = reorderTo(current, desc(dims, dnnl_nc));
        outputShape = new long[] {dims[1]};
      }
    } catch (RuntimeException e) {
      cleanable.clean();
      throw e;
    }
  }

  /** Values per image in the output. */
  int outputSize() {
    long size = 1;
    for (long d : outputShape) {
      size *= d;
    }
    return Math.toIntExact(size);
  }

  /**
   * Runs images {@code first .. first + batch - 1} of {@code images} (NCHW values) and writes their
   * outputs to the same rows of {@code out}.
   */
  void run(FloatBuffer images, int first, float[] out) {
    input.data().put(0, images, first * inputSize, batch * inputSize);
    for (Step step : steps) {
      step.execute(stream);
    }
    check(dnnl_stream_wait(stream), "stream_wait");
    int size = outputSize();
    output.data().get(0, out, first * size, batch * size);
    if (softmax) {
      for (int i = first; i < first + batch; i++) {
        softmax(out, i * size, size);
      }
    }
  }

  @Override
  public void close() {
    cleanable.clean();
  }

  private Memory conv(LayerSpec.Conv conv, Memory in, long[] dims) {
    if (dims.length != 4 || dims[1] != conv.inChannels()) {
      throw new OneDnnException("convolution of " + conv.inChannels() + " channels after "
          + java.util.Arrays.toString(dims));
    }
    long[][] yx = spatial(dims, conv.kernel(), conv.stride(), conv.dilation(), conv.padding());
    long[] y = yx[0];
    long[] x = yx[1];
    long[] weightDims = {conv.outChannels(), conv.inChannels(), conv.kernel()[0],
        conv.kernel()[1]};
    dnnl_convolution_desc_t op = new dnnl_convolution_desc_t();
    check(dnnl_dilated_convolution_forward_desc_init(op, dnnl_forward_inference,
        dnnl_convolution_direct, desc(dims, dnnl_format_tag_any),
        desc(weightDims, dnnl_format_tag_any), desc(new long[] {conv.outChannels()}, dnnl_x),
        desc(new long[] {dims[0], conv.outChannels(), y[0], x[0]}, dnnl_format_tag_any),
        longs(conv.stride()), new long[] {conv.dilation()[0] - 1, conv.dilation()[1] - 1},
        new long[] {y[1], x[1]}, new long[] {y[2], x[2]}), "convolution_forward_desc_init");
    dnnl_primitive_desc pd = primitiveDesc(new const_dnnl_op_desc_t(op), conv.relu());
    return weighted(pd, in, conv.weights(), weightDims, dnnl_oihw, conv.bias());
  }

  private Memory pool(LayerSpec.Pool pool, Memory in, long[] dims) {
    if (dims.length != 4) {
      throw new OneDnnException("pooling after " + java.util.Arrays.toString(dims));
    }
    long[][] yx = spatial(dims, pool.kernel(), pool.stride(), pool.dilation(), pool.padding());
    long[] y = yx[0];
    long[] x = yx[1];
    if (!pool.max() && (y[1] | y[2] | x[1] | x[2]) != 0) {
      throw new OneDnnException("average pooling with padding");
    }
    dnnl_pooling_v2_desc_t op = new dnnl_pooling_v2_desc_t();
    check(dnnl_pooling_v2_forward_desc_init(op, dnnl_forward_inference,
        pool.max() ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding, in.md(),
        desc(new long[] {dims[0], dims[1], y[0], x[0]}, dnnl_format_tag_any),
        longs(pool.stride()), longs(pool.kernel()),
        new long[] {pool.dilation()[0] - 1, pool.dilation()[1] - 1},
        new long[] {y[1], x[1]}, new long[] {y[2], x[2]}), "pooling_forward_desc_init");
    dnnl_primitive_desc pd = primitiveDesc(new const_dnnl_op_desc_t(op), false);
    Memory out = natives.memory(engine, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
    steps.add(new Step(natives.primitive(pd), new int[] {DNNL_ARG_SRC, DNNL_ARG_DST}, in, out));
    return out;
  }

  private Memory dense(LayerSpec.Dense dense, Memory in, long[] dims) {
    long inputs = 1;
    for (int i = 1; i < dims.length; i++) {
      inputs *= dims[i];
    }
    if (inputs != dense.inputs() || (dims.length != 2 && dims.length != 4)) {
      throw new OneDnnException("dense layer of " + dense.inputs() + " inputs after "
          + java.util.Arrays.toString(dims));
    }
    long[] weightDims = dims.length == 4
        ? new long[] {dense.outputs(), dims[1], dims[2], dims[3]}
        : new long[] {dense.outputs(), dims[1]};
    int weightTag = dims.length == 2 ? dnnl_oi : dense.channelsLastInput() ? dnnl_ohwi : dnnl_oihw;
    dnnl_inner_product_desc_t op = new dnnl_inner_product_desc_t();
    check(dnnl_inner_product_forward_desc_init(op, dnnl_forward_inference,
        desc(dims, dnnl_format_tag_any), desc(weightDims, dnnl_format_tag_any),
        desc(new long[] {dense.outputs()}, dnnl_x),
        desc(new long[] {dims[0], dense.outputs()}, dnnl_format_tag_any)),
        "inner_product_forward_desc_init");
    dnnl_primitive_desc pd = primitiveDesc(new const_dnnl_op_desc_t(op),
        dense.activation() == LayerSpec.Activation.RELU);
    return weighted(pd, in, dense.weights(), weightDims, weightTag, dense.bias());
  }

  /** The step of a layer with weights and bias: {@code in} reordered as {@code pd} wants it. */
  private Memory weighted(dnnl_primitive_desc pd, Memory in, FloatBuffer weights,
      long[] weightDims, int weightTag, float[] bias) {
    Memory src = reorderTo(in, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
    Memory w = constant(weights, weightDims, weightTag,
        dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
    Memory b = constant(FloatBuffer.wrap(bias), new long[] {bias.length}, dnnl_x,
        dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 1));
    Memory out = natives.memory(engine, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
    steps.add(new Step(natives.primitive(pd),
        new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST}, src, w, b, out));
    return out;
  }

  /** {@code from}, or a reorder step into a new memory of {@code want} when that differs. */
  private Memory reorderTo(Memory from, dnnl_memory_desc_t want) {
    if (dnnl_memory_desc_equal(from.md(), want) == 1) {
      return from;
    }
    Memory to = natives.memory(engine, want);
    steps.add(natives.reorder(engine, from, to));
    return to;
  }

  /** Constant values (weights, biases) in the layout {@code want}, reordered once, now. */
  private Memory constant(FloatBuffer values, long[] dims, int tag, dnnl_memory_desc_t want) {
    Memory user = natives.memory(engine, desc(dims, tag));
    user.data().put(0, values, 0, values.capacity());
    if (dnnl_memory_desc_equal(user.md(), want) == 1) {
      return user;
    }
    Memory to = natives.memory(engine, want);
    natives.reorder(engine, user, to).execute(stream);
    check(dnnl_stream_wait(stream), "stream_wait");
    return to;
  }

  private dnnl_primitive_desc primitiveDesc(const_dnnl_op_desc_t op, boolean relu) {
    dnnl_primitive_attr attr = null;
    if (relu) {
      dnnl_post_ops ops = new dnnl_post_ops();
      check(dnnl_post_ops_create(ops), "post_ops_create");
      natives.keep(ops);
      check(dnnl_post_ops_append_eltwise(ops, 1f, dnnl_eltwise_relu, 0f, 0f), "post_ops_append");
      attr = new dnnl_primitive_attr();
      check(dnnl_primitive_attr_create(attr), "primitive_attr_create");
      natives.keep(attr);
      check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
    }
    dnnl_primitive_desc pd = new dnnl_primitive_desc();
    check(dnnl_primitive_desc_create(pd, op, attr, engine, null), "primitive_desc_create");
    return natives.keep(pd);
  }

  /** Height and width of a window layer over NCHW {@code dims}: {output, pad before, after}. */
  private static long[][] spatial(
      long[] dims, int[] kernel, int[] stride, int[] dilation, int[] padding) {
    return new long[][] {
        LayerSpec.axis(dims[2], kernel[0], stride[0], dilation[0], padding, 0),
        LayerSpec.axis(dims[3], kernel[1], stride[1], dilation[1], padding, 1)};
  }

  static dnnl_memory_desc_t desc(long[] dims, int tag) {
    dnnl_memory_desc_t md = new dnnl_memory_desc_t();
    check(dnnl_memory_desc_init_by_tag(md, dims.length, dims, dnnl_f32, tag),
        "memory_desc_init_by_tag");
    return md;
  }

  private static long[] dims(dnnl_memory_desc_t md) {
    long[] out = new long[md.ndims()];
    md.dims().get(out);
    return out;
  }

  private static long[] longs(int[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** Softmax of {@code size} values from {@code from}, in place (max subtracted first). */
  private static void softmax(float[] v, int from, int size) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = from; i < from + size; i++) {
      max = Math.max(max, v[i]);
    }
    float sum = 0;
    for (int i = from; i < from + size; i++) {
      v[i] = (float) Math.exp(v[i] - max);
      sum += v[i];
    }
    for (int i = from; i < from + size; i++) {
      v[i] /= sum;
    }
  }
}
