package dev.spindle.serving.holder;

import dev.spindle.model.UndecodableImageException;
import java.util.ArrayList;
import java.util.List;

/**
 * Labeled images a candidate model is scored on before it may serve: the validation split of
 * {@code images.labeled} (the trainer never trains on those). Kept encoded, so each model
 * preprocesses them to its own input shape with the shared preprocessor.
 *
 * @param images encoded images (PNG/JPEG bytes)
 * @param labels their class names
 */
public record GatingSet(List<byte[]> images, List<String> labels) {
  public static final GatingSet EMPTY = new GatingSet(List.of(), List.of());

  public GatingSet {
    images = List.copyOf(images);
    labels = List.copyOf(labels);
  }

  public int size() {
    return labels.size();
  }

  public boolean isEmpty() {
    return labels.isEmpty();
  }

  /**
   * Share of images {@code model} classifies right (NaN when none can be scored: empty set,
   * or no label among the model's classes). Undecodable images are skipped.
   */
  public double accuracy(ServedModel model) {
    List<float[]> pixels = new ArrayList<>();
    List<Integer> truth = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      int label = model.classNames().indexOf(labels.get(i));
      if (label < 0) {
        continue;
      }
      try {
        pixels.add(model.preprocessor().pixels(images.get(i)));
        truth.add(label);
      } catch (UndecodableImageException e) {
        // ingest validated it; a model with another input shape may still fail: skip
      }
    }
    if (pixels.isEmpty()) {
      return Double.NaN;
    }
    int correct = 0;
    for (int from = 0; from < pixels.size(); from += 256) {
      int to = Math.min(pixels.size(), from + 256);
      float[][] p = model.probabilities(pixels.subList(from, to));
      for (int i = 0; i < p.length; i++) {
        if (Scores.argMax(p[i]) == truth.get(from + i)) {
          correct++;
        }
      }
    }
    return (double) correct / pixels.size();
  }
}
