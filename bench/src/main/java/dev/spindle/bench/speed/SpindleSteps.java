package dev.spindle.bench.speed;

import dev.spindle.bench.ssl.FmnistData;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.artifact.LoadedModel;
import dev.spindle.model.artifact.ModelManifest;
import dev.spindle.serving.holder.ServedModel;
import dev.spindle.trainer.learn.Examples;
import dev.spindle.trainer.learn.HeadOnFeatures;
import dev.spindle.trainer.learn.RotationPretrainer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Spindle's own code paths for the peer's throughput steps, on the peer's network (4 blocks,
 * 64x7x7 backbone, the head on top) and batch shapes: the trainer's {@link RotationPretrainer}
 * step (64 images, rotations included), a full training step on {@link Examples} batches of 64
 * as {@code TwoStageTransfer} fits them, its stage-1 step ({@link HeadOnFeatures#fit}: the
 * frozen backbone's forward pass on the batch, then the head's training step), and the serving
 * model's {@link ServedModel#probabilities} at batch 1 and 64.
 */
final class SpindleSteps {
  static final int BATCH = 64;
  static final int CLASSES = 10;

  private final FmnistData data;
  private final NetworkSpec spec = NetworkSpec.forInput(FmnistData.SHAPE, 4);
  private final Random random;

  SpindleSteps(FmnistData data, long seed) {
    this.data = data;
    this.random = new Random(seed);
  }

  /** Step name -> timing, in the order of the peer's JSON. */
  Map<String, StepTimer.Timing> measure(StepTimer timer, StepTimer singleImageTimer) {
    Map<String, StepTimer.Timing> out = new LinkedHashMap<>();
    RotationPretrainer pretrainer = new RotationPretrainer(spec, 1e-3, 1);
    List<float[]> rotationImages = sample(BATCH).images();
    out.put("rotation_pretrain", timer.time(() -> pretrainer.step(rotationImages)));

    Labeled batch = sample(BATCH);
    MultiLayerNetwork full = Networks.classifier(spec, CLASSES, 1e-3, 1);
    out.put("supervised_train", timer.time(() -> fit(full, batch)));

    HeadOnFeatures head = stage1(full);
    out.put("stage1_head_train", timer.time(
        () -> head.fit(batch.examples().dataSet(batch.indices(), CLASSES))));

    ServedModel served = new ServedModel(new LoadedModel(full, Optional.empty(), manifest()));
    // batch 64 first: batch 1's long warm-up gets DL4J's Java compiled for one-image arrays,
    // and the recompilation for 64 then ran on these 2 cores during batch 64's few timed calls
    // (1,362-1,706 img/s measured that way, 1,777-1,965 without; a server settles once)
    List<float[]> many = sample(BATCH).images();
    StepTimer.Timing batch64 = timer.time(() -> served.probabilities(many));
    List<float[]> one = sample(1).images();
    out.put("infer_b1", singleImageTimer.time(() -> served.probabilities(one)));
    out.put("infer_b64", batch64);
    return out;
  }

  /**
   * Runs the training steps untimed, on networks of their own, so the JVM has compiled their
   * Java before any round is timed: {@code steps} full-training and stage-1 steps, a quarter as
   * many rotation steps (256 rows each; its code is the full step's). A classifier step's
   * median fell from ~160 ms in its first 30 steps to ~100-115 ms after 200 (same JVM, 2-core
   * AMD EPYC): the trainer, which runs for hours, works at the latter.
   */
  void warmUp(int steps) {
    RotationPretrainer pretrainer = new RotationPretrainer(spec, 1e-3, 2);
    List<float[]> rotationImages = sample(BATCH).images();
    Labeled batch = sample(BATCH);
    MultiLayerNetwork full = Networks.classifier(spec, CLASSES, 1e-3, 2);
    HeadOnFeatures head = stage1(full);
    for (int i = 0; i < steps; i++) {
      fit(full, batch);
      head.fit(batch.examples().dataSet(batch.indices(), CLASSES));
      if (i % 4 == 0) {
        pretrainer.step(rotationImages);
      }
    }
  }

  /**
   * JFR profiles of the rotation pretraining step, the full training step, the stage-1 head
   * step and batch-1 inference.
   */
  String profile(int warmup, int steps) throws java.io.IOException {
    RotationPretrainer pretrainer = new RotationPretrainer(spec, 1e-3, 1);
    List<float[]> rotationImages = sample(BATCH).images();
    Labeled batch = sample(BATCH);
    MultiLayerNetwork full = Networks.classifier(spec, CLASSES, 1e-3, 1);
    HeadOnFeatures head = stage1(full);
    ServedModel served = new ServedModel(new LoadedModel(full.clone(), Optional.empty(), manifest()));
    List<float[]> one = sample(1).images();
    return JfrProfile.markdown("Rotation pretraining step (64 images x 4 = 256 rows)",
            () -> pretrainer.step(rotationImages), warmup, steps)
        + JfrProfile.markdown("Full training step (batch 64)", () -> fit(full, batch), warmup, 2 * steps)
        + JfrProfile.markdown("Stage-1 head step (batch 64, frozen backbone forward included)",
            () -> head.fit(batch.examples().dataSet(batch.indices(), CLASSES)), warmup, 4 * steps)
        + JfrProfile.markdown("Inference, batch 1 (ServedModel.probabilities)",
            () -> served.probabilities(one), warmup, 40 * steps);
  }

  /** The trainer's stage 1 on {@code classifier}'s backbone (frozen) and a head of its shape. */
  private HeadOnFeatures stage1(MultiLayerNetwork classifier) {
    MultiLayerNetwork frozen = Networks.withFrozenBackbone(spec, classifier, 1e-3, 1);
    return HeadOnFeatures.of(frozen, Networks.backboneLayers(spec, spec.cutBlock()), 1);
  }

  private static void fit(MultiLayerNetwork net, Labeled batch) {
    DataSet data = batch.examples().dataSet(batch.indices(), CLASSES);
    try {
      net.fit(data);
    } finally {
      data.getFeatures().close();
      data.getLabels().close();
    }
  }

  /** {@code n} random training images (with replacement, like the peer's torch.randint). */
  private Labeled sample(int n) {
    List<float[]> images = new ArrayList<>(n);
    int[] labels = new int[n];
    int[] indices = new int[n];
    for (int i = 0; i < n; i++) {
      int pick = random.nextInt(data.train().size());
      images.add(data.train().get(pick));
      labels[i] = data.trainLabels()[pick];
      indices[i] = i;
    }
    return new Labeled(new Examples(FmnistData.SHAPE, images, labels), indices);
  }

  private ModelManifest manifest() {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < CLASSES; c++) {
      names.add("class" + c);
    }
    return new ModelManifest("speed-benchmark", 1, 1, FmnistData.SHAPE.toString(), names,
        spec.cutBlock(), 0, Map.of(), new int[0][0], Instant.now(), "");
  }

  private record Labeled(Examples examples, int[] indices) {
    List<float[]> images() {
      List<float[]> out = new ArrayList<>(indices.length);
      for (int i : indices) {
        out.add(examples.image(i));
      }
      return out;
    }
  }
}
