package dev.spindle.trainer.learn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Accuracy, per-class accuracy and the confusion matrix (rows = true class, columns =
 * predicted) of a classifier on labeled examples, in inference mode.
 */
public record Evaluation(double accuracy, double[] perClassAccuracy, int[][] confusion, int size) {
  private static final int BATCH = 256;

  public static Evaluation of(MultiLayerNetwork net, Examples examples, int classes) {
    int[][] confusion = new int[classes][classes];
    for (int[] batch : examples.orderedBatches(BATCH)) {
      try (INDArray x = examples.features(batch); INDArray out = net.output(x, false)) {
        int[] predicted = out.argMax(1).toIntVector();
        for (int i = 0; i < batch.length; i++) {
          confusion[examples.label(batch[i])][predicted[i]]++;
        }
      }
    }
    int correct = 0;
    double[] perClass = new double[classes];
    for (int c = 0; c < classes; c++) {
      int total = 0;
      for (int p = 0; p < classes; p++) {
        total += confusion[c][p];
      }
      correct += confusion[c][c];
      perClass[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
    }
    int size = examples.size();
    return new Evaluation(size == 0 ? Double.NaN : (double) correct / size, perClass, confusion, size);
  }

  /** Figures for a manifest or an event: accuracy, validation size, accuracy.&lt;class&gt;. */
  public Map<String, Double> asMetrics(List<String> classNames) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("accuracy", accuracy);
    metrics.put("validation.size", (double) size);
    for (int c = 0; c < perClassAccuracy.length; c++) {
      if (!Double.isNaN(perClassAccuracy[c])) {
        metrics.put("accuracy." + classNames.get(c), perClassAccuracy[c]);
      }
    }
    return metrics;
  }
}
