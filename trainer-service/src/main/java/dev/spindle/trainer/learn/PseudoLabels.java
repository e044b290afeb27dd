package dev.spindle.trainer.learn;

import dev.spindle.model.layers.FloatArrays;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Self-training: the classifier labels unlabeled images, and the most confident
 * {@code perClass} of each predicted class (class-balanced, so an easy class cannot crowd out
 * the rest) become training examples.
 */
public final class PseudoLabels {
  private static final int BATCH = 512;

  private record Scored(int index, int label, float confidence) {}

  private PseudoLabels() {}

  public static Examples select(
      MultiLayerNetwork net, Examples pool, int classes, int perClass) {
    List<List<Scored>> byClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    int[] predicted = new int[pool.size()];
    float[] confidence = new float[pool.size()];
    classify(net, pool, classes, predicted, confidence);
    for (int i = 0; i < pool.size(); i++) {
      byClass.get(predicted[i]).add(new Scored(i, predicted[i], confidence[i]));
    }
    List<float[]> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (List<Scored> scored : byClass) {
      scored.sort(Comparator.comparingDouble((Scored s) -> s.confidence).reversed());
      for (Scored s : scored.subList(0, Math.min(perClass, scored.size()))) {
        images.add(pool.image(s.index));
        labels.add(s.label);
      }
    }
    return new Examples(pool.shape(), images, labels.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The network's class for each image of {@code pool} (inference mode). */
  public static int[] predictions(MultiLayerNetwork net, Examples pool, int classes) {
    int[] predicted = new int[pool.size()];
    classify(net, pool, classes, predicted, new float[pool.size()]);
    return predicted;
  }

  private static void classify(MultiLayerNetwork net, Examples pool, int classes,
      int[] predicted, float[] confidence) {
    for (int[] batch : pool.orderedBatches(BATCH)) {
      try (INDArray x = pool.features(batch); INDArray out = net.output(x, false)) {
        float[][] probabilities = FloatArrays.rows(out);
        for (int i = 0; i < batch.length; i++) {
          int best = 0;
          for (int c = 1; c < classes; c++) {
            if (probabilities[i][c] > probabilities[i][best]) {
              best = c;
            }
          }
          predicted[batch[i]] = best;
          confidence[batch[i]] = probabilities[i][best];
        }
      }
    }
  }
}
