package dev.spindle.serving.stream;

import dev.spindle.serving.holder.Scores;
import java.time.Duration;

/**
 * Which images to ask annotators about: the {@code perWindow} least sure predictions of each
 * {@code window}, by entropy (higher = less sure) or by margin (smaller = less sure), never an
 * image that already has a label or was already requested; {@code balanced}: an equal share
 * for each predicted class (see {@link LabelRequestWindow}).
 */
public record LabelRequestPolicy(boolean enabled, String measure, int perWindow, Duration window,
    boolean balanced) {
  public static final LabelRequestPolicy OFF =
      new LabelRequestPolicy(false, "entropy", 0, Duration.ofMinutes(1), false);

  public LabelRequestPolicy {
    if (!measure.equals("entropy") && !measure.equals("margin")) {
      throw new IllegalArgumentException(
          "label request measure must be entropy or margin, was '" + measure + "'");
    }
  }

  /** Higher means less sure, whichever measure is configured. */
  public double uncertainty(Scores scores) {
    return measure.equals("entropy") ? scores.entropy() : 1.0 - scores.margin();
  }
}
