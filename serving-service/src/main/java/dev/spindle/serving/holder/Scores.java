package dev.spindle.serving.holder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One image's answer: the label, its probability, the top k classes, and two uncertainty
 * measures: entropy of the distribution (nats) and margin (top-1 minus top-2 probability).
 */
public record Scores(String label, float confidence, List<ClassScore> topK, float entropy,
    float margin) {

  /** One class and its probability. */
  public record ClassScore(String label, float probability) {}

  public static Scores of(float[] probabilities, List<String> classNames, int k) {
    Integer[] order = IntStream.range(0, probabilities.length).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(order, Comparator.comparingDouble(i -> -probabilities[i]));
    List<ClassScore> top = new ArrayList<>();
    for (int i = 0; i < Math.min(k, order.length); i++) {
      top.add(new ClassScore(classNames.get(order[i]), probabilities[order[i]]));
    }
    double entropy = 0;
    for (float p : probabilities) {
      if (p > 0) {
        entropy -= p * Math.log(p);
      }
    }
    float second = order.length > 1 ? probabilities[order[1]] : 0f;
    return new Scores(classNames.get(order[0]), probabilities[order[0]], List.copyOf(top),
        (float) entropy, probabilities[order[0]] - second);
  }

  static int argMax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
