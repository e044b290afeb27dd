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
   * Both models on the same images: the images either model cannot score (label not among
   * its classes, or undecodable at its input shape) are left out of the pairing.
   *
   * @param scored images both models answered
   * @param candidateCorrect of those, right by the candidate
   * @param servingCorrect of those, right by the serving model
   * @param onlyServingRight right by the serving model only (McNemar's b)
   * @param onlyCandidateRight right by the candidate only (McNemar's c)
   */
  public record Comparison(int scored, int candidateCorrect, int servingCorrect,
      int onlyServingRight, int onlyCandidateRight) {
    public double candidateAccuracy() {
      return scored == 0 ? Double.NaN : (double) candidateCorrect / scored;
    }

    public double servingAccuracy() {
      return scored == 0 ? Double.NaN : (double) servingCorrect / scored;
    }

    /** McNemar's z for "the candidate is worse": positive when it loses more images than it wins. */
    public double z() {
      int discordant = onlyServingRight + onlyCandidateRight;
      return discordant == 0 ? 0 : (onlyServingRight - onlyCandidateRight) / Math.sqrt(discordant);
    }
  }

  /** The candidate and the serving model, image by image. */
  public Comparison compare(ServedModel candidate, ServedModel serving) {
    Boolean[] a = correctness(candidate);
    Boolean[] b = correctness(serving);
    int scored = 0;
    int candidateCorrect = 0;
    int servingCorrect = 0;
    int onlyServing = 0;
    int onlyCandidate = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] == null || b[i] == null) {
        continue;
      }
      scored++;
      candidateCorrect += a[i] ? 1 : 0;
      servingCorrect += b[i] ? 1 : 0;
      onlyServing += !a[i] && b[i] ? 1 : 0;
      onlyCandidate += a[i] && !b[i] ? 1 : 0;
    }
    return new Comparison(scored, candidateCorrect, servingCorrect, onlyServing, onlyCandidate);
  }

  /**
   * Share of images {@code model} classifies right (NaN when none can be scored: empty set,
   * or no label among the model's classes). Undecodable images are skipped.
   */
  public double accuracy(ServedModel model) {
    int scored = 0;
    int correct = 0;
    for (Boolean right : correctness(model)) {
      if (right != null) {
        scored++;
        correct += right ? 1 : 0;
      }
    }
    return scored == 0 ? Double.NaN : (double) correct / scored;
  }

  /**
   * Per image: whether {@code model} gets it right, null where it cannot score it. A model
   * answers each image once: the gating set changes by a few images between offers and the
   * serving model is compared with every candidate, so its answers are kept (see
   * {@link ServedModel#gatingAnswer}) and only images it has not seen are run, on one of the
   * copies the requests use.
   */
  private Boolean[] correctness(ServedModel model) {
    Boolean[] right = new Boolean[images.size()];
    List<float[]> pixels = new ArrayList<>();
    List<Integer> index = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      int label = model.classNames().indexOf(labels.get(i));
      if (label < 0) {
        continue;
      }
      Integer known = model.gatingAnswer(images.get(i));
      if (known != null) {
        right[i] = known == ServedModel.CANNOT_ANSWER ? null : known == label;
        continue;
      }
      try {
        pixels.add(model.preprocessor().pixels(images.get(i)));
        index.add(i);
      } catch (UndecodableImageException e) {
        // ingest validated it; a model with another input shape may still fail: skip
        model.rememberGatingAnswer(images.get(i), ServedModel.CANNOT_ANSWER);
      }
    }
    for (int from = 0; from < pixels.size(); from += 256) {
      int to = Math.min(pixels.size(), from + 256);
      float[][] p = model.probabilities(pixels.subList(from, to));
      for (int i = 0; i < p.length; i++) {
        int image = index.get(from + i);
        int predicted = Scores.argMax(p[i]);
        model.rememberGatingAnswer(images.get(image), predicted);
        right[image] = predicted == model.classNames().indexOf(labels.get(image));
      }
    }
    return right;
  }
}
