package dev.spindle.trainer.learn;

import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.RotationBatch;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Rotation pretraining: one {@link #step} fits the rotation network on a batch holding every
 * image in all four rotations. {@link #snapshot()} gives a copy for transfer while pretraining
 * goes on. Thread-safe: steps, snapshots and evaluation take turns.
 */
public final class RotationPretrainer {
  private final NetworkSpec spec;
  private final MultiLayerNetwork network;
  private long steps;

  public RotationPretrainer(NetworkSpec spec, double learningRate, long seed) {
    this(spec, Networks.rotationNet(spec, learningRate, seed), 0);
  }

  /** Resumes from a restored rotation network (parameters and updater state). */
  public RotationPretrainer(NetworkSpec spec, MultiLayerNetwork restored, long steps) {
    this.spec = spec;
    this.network = restored;
    this.steps = steps;
  }

  public NetworkSpec spec() {
    return spec;
  }

  /** One optimisation step on {@code images} x 4 rotations; returns the batch loss. */
  public synchronized double step(List<float[]> images) {
    DataSet batch = RotationBatch.of(images, spec.input());
    try {
      network.fit(batch);
      steps++;
      return network.score();
    } finally {
      batch.getFeatures().close();
      batch.getLabels().close();
    }
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
