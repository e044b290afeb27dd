package dev.spindle.trainer.learn;

import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.RotationBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Rotation pretraining: one {@link #step} fits the rotation network on a batch holding every
 * image in all four rotations (each image first given its {@link Cutout}, if one is set, the
 * same in its four rotations). {@link #snapshot()} gives a copy for transfer while pretraining
 * goes on. Thread-safe: steps, snapshots and evaluation take turns.
 */
public final class RotationPretrainer {
  private final NetworkSpec spec;
  private final MultiLayerNetwork network;
  private final Cutout cutout;
  private final Random random;
  private long steps;

  public RotationPretrainer(NetworkSpec spec, double learningRate, long seed) {
    this(spec, learningRate, seed, Cutout.NONE, new Random(seed));
  }

  /** A new network; {@code cutout}'s squares drawn from {@code random}. */
  public RotationPretrainer(NetworkSpec spec, double learningRate, long seed, Cutout cutout,
      Random random) {
    this(spec, Networks.rotationNet(spec, learningRate, seed), 0, cutout, random);
  }

  /** Resumes from a restored rotation network (parameters and updater state). */
  public RotationPretrainer(NetworkSpec spec, MultiLayerNetwork restored, long steps) {
    this(spec, restored, steps, Cutout.NONE, new Random(0));
  }

  /** Resumes from a restored rotation network, with {@code cutout} from now on. */
  public RotationPretrainer(NetworkSpec spec, MultiLayerNetwork restored, long steps,
      Cutout cutout, Random random) {
    this.spec = spec;
    this.network = restored;
    this.steps = steps;
    this.cutout = cutout;
    this.random = random;
  }

  public NetworkSpec spec() {
    return spec;
  }

  /** One optimisation step on {@code images} x 4 rotations; returns the batch loss. */
  public synchronized double step(List<float[]> images) {
    DataSet batch = RotationBatch.of(withCutout(images), spec.input());
    try {
      network.fit(batch);
      steps++;
      return network.score();
    } finally {
      batch.getFeatures().close();
      batch.getLabels().close();
    }
  }

  /** Copies of {@code images} with their cutout; {@code images} itself without one. */
  private List<float[]> withCutout(List<float[]> images) {
    if (cutout.isNone()) {
      return images;
    }
    List<float[]> cut = new ArrayList<>(images.size());
    for (float[] image : images) {
      float[] copy = image.clone();
      cutout.apply(copy, 0, spec.input(), random);
      cut.add(copy);
    }
    return cut;
  }

  /** Share of the 4 x n rotated copies of {@code images} whose rotation is predicted right. */
  public synchronized double pretextAccuracy(List<float[]> images) {
    return RotationBatch.accuracy(network, images, spec.input());
  }

  /** An independent copy of the rotation network (parameters, BN statistics, updater). */
  public synchronized MultiLayerNetwork snapshot() {
    return network.clone();
  }

  /** The live network: only for checkpointing under {@link #withNetwork}. */
  public synchronized <T> T withNetwork(java.util.function.Function<MultiLayerNetwork, T> action) {
    return action.apply(network);
  }

  public synchronized long steps() {
    return steps;
  }
}
