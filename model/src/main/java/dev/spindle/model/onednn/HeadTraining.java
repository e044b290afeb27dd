package dev.spindle.model.onednn;

import static dev.spindle.model.onednn.OneDnn.check;
import static dev.spindle.model.onednn.Plan.desc;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oi;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import dev.spindle.model.layers.FloatArrays;
import dev.spindle.model.onednn.Natives.Memory;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.dnnl.dnnl_inner_product_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * A training step of a two-layer dense head (a ReLU layer, then a softmax output layer with
 * multi-class cross-entropy) computed by oneDNN inner products called directly and a few Java
 * loops, the parameter update left to the network's own updater, as {@code fit} does it: the
 * same gradients (divided by the batch size by the updater), update and step. Stage 1 trains
 * such a head on the frozen backbone's features, where DL4J's forward and backward passes took
 * ~4-6 ms of a ~8 ms step for ~0.1 GFLOP (two 64 x 3,136 x 128 products). Per-example label
 * weights (a {@code [n, 1]} labels mask) act as in DL4J: they scale that example's logits
 * before the softmax and its gradient after. Not thread-safe.
 */
public final class HeadTraining extends TrainingOp<HeadTraining.Passes> {
  private static final float SOFTMAX_CLIP = 1e-10f;

  private final MultiLayerNetwork head;
  private final int inputs;
  private final int hidden;
  private final int classes;
  private final LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();

  private HeadTraining(MultiLayerNetwork head) {
    this.head = head;
    var first = (DenseLayer) head.getLayer(0).conf().getLayer();
    var last = (OutputLayer) head.getLayer(1).conf().getLayer();
    this.inputs = Math.toIntExact(first.getNIn());
    this.hidden = Math.toIntExact(first.getNOut());
    this.classes = Math.toIntExact(last.getNOut());
  }

  /**
   * A step for {@code head} if it is the case this class computes (and oneDNN is {@link
   * OneDnn#available}): a dense ReLU layer and a softmax output layer with multi-class
   * cross-entropy (no class weights), both with biases, float32, no dropout, weight noise,
   * regularisation, constraints or preprocessors. Empty otherwise: fit it with DL4J.
   */
  public static Optional<HeadTraining> of(MultiLayerNetwork head) {
    if (!OneDnn.available() || head.getnLayers() != 2
        || head.getLayerWiseConfigurations().getDataType() != DataType.FLOAT
        || head.getLayerWiseConfigurations().getInputPreProcess(0) != null
        || head.getLayerWiseConfigurations().getInputPreProcess(1) != null) {
      return Optional.empty();
    }
    var first = head.getLayer(0).conf().getLayer();
    var last = head.getLayer(1).conf().getLayer();
    boolean supported = first instanceof DenseLayer dense
        && dense.getActivationFn() instanceof ActivationReLU relu
        && relu.equals(new ActivationReLU()) && dense.hasBias() && plain(dense)
        && last.getClass() == OutputLayer.class && last instanceof OutputLayer out
        && out.getActivationFn() instanceof ActivationSoftmax && out.hasBias() && plain(out)
        && out.getLossFn() instanceof LossMCXENT loss && loss.getWeights() == null
        && out.getNIn() == dense.getNOut();
    return supported ? Optional.of(new HeadTraining(head)) : Optional.empty();
  }

  private static boolean plain(BaseLayer layer) {
    return layer.getIDropout() == null && layer.getWeightNoise() == null
        && (layer.getConstraints() == null || layer.getConstraints().isEmpty())
        && layer.getRegularization().isEmpty() && layer.getRegularizationBias().isEmpty();
  }

  /**
   * One step on {@code data}: features {@code [n, inputs]}, one-hot labels {@code [n,
   * classes]}, optionally a {@code [n, 1]} labels mask of per-example weights.
   */
  public void fit(DataSet data) {
    INDArray features = FloatArrays.contiguousOrCopy(data.getFeatures());
    INDArray labels = FloatArrays.contiguousOrCopy(data.getLabels());
    INDArray mask = data.getLabelsMaskArray();
    int n = Math.toIntExact(features.size(0));
    if (features.size(1) != inputs || labels.size(0) != n || labels.size(1) != classes
        || (mask != null && mask.length() != n)) {
      throw new IllegalArgumentException("head of " + inputs + " inputs and " + classes
          + " classes given features " + Arrays.toString(features.shape()) + ", labels "
          + Arrays.toString(labels.shape())
          + (mask == null ? "" : ", mask " + Arrays.toString(mask.shape())));
    }
    if (head.getFlattenedGradients() == null) {
      head.initGradientsView();
    }
    Passes p = plan(List.of((long) n), () -> new Passes(n));
    Map<String, INDArray> params0 = head.getLayer(0).paramTable();
    Map<String, INDArray> params1 = head.getLayer(1).paramTable();
    Map<String, INDArray> grads0 = gradientViews(head.getLayer(0));
    Map<String, INDArray> grads1 = gradientViews(head.getLayer(1));
    bind(p.features, FloatArrays.buffer(features));
    bind(p.weights1, weights(params0.get(DefaultParamInitializer.WEIGHT_KEY), inputs, hidden));
    bind(p.bias1, FloatArrays.buffer(params0.get(DefaultParamInitializer.BIAS_KEY)));
    bind(p.weights2, weights(params1.get(DefaultParamInitializer.WEIGHT_KEY), hidden, classes));
    bind(p.bias2, FloatArrays.buffer(params1.get(DefaultParamInitializer.BIAS_KEY)));
    bind(p.weightGrad1, weights(grads0.get(DefaultParamInitializer.WEIGHT_KEY), inputs, hidden));
    bind(p.biasGrad1, FloatArrays.buffer(grads0.get(DefaultParamInitializer.BIAS_KEY)));
    bind(p.weightGrad2, weights(grads1.get(DefaultParamInitializer.WEIGHT_KEY), hidden, classes));
    bind(p.biasGrad2, FloatArrays.buffer(grads1.get(DefaultParamInitializer.BIAS_KEY)));

    run(p, p.hiddenLayer);
    FloatBuffer h = p.hidden.data();
    for (int i = 0; i < n * hidden; i++) {
      h.put(i, Math.max(h.get(i), 0f));
    }
    run(p, p.outputLayer);
    double score = lossGradient(p.logits.data(), FloatArrays.buffer(labels), mask, n);
    run(p, p.outputBackward);
    FloatBuffer dh = p.hiddenGrad.data();
    for (int i = 0; i < n * hidden; i++) {
      if (!(h.get(i) > 0f)) {
        dh.put(i, 0f);
      }
    }
    run(p, p.hiddenBackward);
    step(n, score);
  }

  /**
   * The loss's gradient for the logits, in place, as DL4J's output layer computes it with a
   * labels mask of weights m: the logits are scaled by m first (DL4J masks the pre-activation),
   * then softmax - labels, times m; returns DL4J's score (the weighted cross-entropy of those
   * probabilities summed, divided by {@code n}).
   */
  private double lossGradient(FloatBuffer logits, FloatBuffer labels, INDArray mask, int n) {
    double loss = 0;
    float[] z = new float[classes];
    double[] e = new double[classes];
    for (int r = 0; r < n; r++) {
      int row = r * classes;
      float weight = mask == null ? 1f : mask.getFloat(r);
      float max = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        z[c] = logits.get(row + c) * weight;
        max = Math.max(max, z[c]);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        e[c] = Math.exp(z[c] - max);
        sum += e[c];
      }
      for (int c = 0; c < classes; c++) {
        float p = (float) (e[c] / sum);
        float y = labels.get(row + c);
        loss -= weight * y * Math.log(Math.min(Math.max(p, SOFTMAX_CLIP), 1 - SOFTMAX_CLIP));
        logits.put(row + c, (p - y) * weight);
      }
    }
    return loss / n;
  }

  /** DL4J's step after its gradient: the updater (dividing by {@code n}), then params -= it. */
  private void step(int n, double score) {
    Gradient gradient = new DefaultGradient(head.getFlattenedGradients());
    for (int i = 0; i < 2; i++) {
      int layer = i;
      gradientViews(head.getLayer(i)).forEach((key, view) ->
          gradient.setGradientFor(layer + "_" + key, view));
    }
    int iteration = head.getIterationCount();
    head.getUpdater().update(head, gradient, iteration, head.getEpochCount(), n, workspaces);
    INDArray params = head.params();
    params.subi(head.getFlattenedGradients().reshape(params.shape()));
    head.setIterationCount(iteration + 1);
    head.setScore(score);
  }

  private static Map<String, INDArray> gradientViews(Layer layer) {
    return layer.conf().getLayer().initializer()
        .getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray());
  }

  /**
   * A dense layer's {@code [in, out]} weights (or their gradient) as oneDNN's row-major
   * {@code [out, in]}: DL4J keeps them column-major, which is that.
   */
  private static FloatBuffer weights(INDArray w, int in, int out) {
    if (w.ordering() != 'f' || w.rank() != 2 || w.size(0) != in || w.size(1) != out
        || w.stride(0) != 1 || w.stride(1) != in || w.dataType() != DataType.FLOAT) {
      throw new IllegalStateException("dense weights not column-major [" + in + ", " + out
          + "]: " + w.shapeInfoToString());
    }
    return FloatArrays.buffer(w);
  }

  /** The primitives and buffers of one batch size. */
  final class Passes extends ShapePlan {
    final Memory features;
    final Memory weights1;
    final Memory bias1;
    final Memory weights2;
    final Memory bias2;
    final Memory weightGrad1;
    final Memory biasGrad1;
    final Memory weightGrad2;
    final Memory biasGrad2;
    /** The hidden layer's output, the logits (then their gradient), the hidden gradient. */
    final Memory hidden;
    final Memory logits;
    final Memory hiddenGrad;
    final List<Step> hiddenLayer = new ArrayList<>();
    final List<Step> outputLayer = new ArrayList<>();
    final List<Step> outputBackward = new ArrayList<>();
    final List<Step> hiddenBackward = new ArrayList<>();

    Passes(long n) {
      super(HeadTraining.this.engine);
      try {
        long h = HeadTraining.this.hidden;
        features = user(new long[] {n, inputs}, dnnl_nc);
        weights1 = user(new long[] {h, inputs}, dnnl_oi);
        bias1 = user(new long[] {h}, dnnl_x);
        weights2 = user(new long[] {classes, h}, dnnl_oi);
        bias2 = user(new long[] {classes}, dnnl_x);
        weightGrad1 = user(new long[] {h, inputs}, dnnl_oi);
        biasGrad1 = user(new long[] {h}, dnnl_x);
        weightGrad2 = user(new long[] {classes, h}, dnnl_oi);
        biasGrad2 = user(new long[] {classes}, dnnl_x);
        hidden = own.memory(engine, desc(new long[] {n, h}, dnnl_nc));
        logits = own.memory(engine, desc(new long[] {n, classes}, dnnl_nc));
        hiddenGrad = own.memory(engine, desc(new long[] {n, h}, dnnl_nc));

        dnnl_primitive_desc fwd1 = forward(features, weights1, bias1, hidden);
        hiddenLayer.add(step(fwd1, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS,
            DNNL_ARG_DST}, features, weights1, bias1, hidden));
        dnnl_primitive_desc fwd2 = forward(hidden, weights2, bias2, logits);
        outputLayer.add(step(fwd2, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS,
            DNNL_ARG_DST}, hidden, weights2, bias2, logits));

        dnnl_inner_product_desc_t op = new dnnl_inner_product_desc_t();
        check(dnnl_inner_product_backward_data_desc_init(op, hiddenGrad.md(), weights2.md(),
            logits.md()), "inner_product_backward_data_desc_init");
        outputBackward.add(step(primitiveDesc(op, fwd2),
            new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
            logits, weights2, hiddenGrad));
        outputBackward.add(weightGradient(fwd2, hidden, logits, weightGrad2, biasGrad2));
        hiddenBackward.add(weightGradient(fwd1, features, hiddenGrad, weightGrad1, biasGrad1));
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    private dnnl_primitive_desc forward(Memory src, Memory weights, Memory bias, Memory dst) {
      dnnl_inner_product_desc_t op = new dnnl_inner_product_desc_t();
      check(dnnl_inner_product_forward_desc_init(op, dnnl_forward_training, src.md(),
          weights.md(), bias.md(), dst.md()), "inner_product_forward_desc_init");
      return primitiveDesc(op, null);
    }

    private Step weightGradient(dnnl_primitive_desc forward, Memory src, Memory diffDst,
        Memory diffWeights, Memory diffBias) {
      dnnl_inner_product_desc_t op = new dnnl_inner_product_desc_t();
      check(dnnl_inner_product_backward_weights_desc_init(op, src.md(), diffWeights.md(),
          diffBias.md(), diffDst.md()), "inner_product_backward_weights_desc_init");
      return step(primitiveDesc(op, forward),
          new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
          src, diffDst, diffWeights, diffBias);
    }
  }
}
