package dev.spindle.serving.stream;

import dev.spindle.serving.holder.Scores;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Which images to ask annotators about: {@code perWindow} of each {@code window}'s least sure
 * predictions, by entropy (higher = less sure) or by margin (smaller = less sure), never an
 * image that already has a label or was already requested; {@code balanced}: an equal share
 * for each predicted class (see {@link LabelRequestWindow}). With {@code representatives} N > 0
 * the window keeps the N x perWindow least sure and requests one {@link Representatives
 * representative} of each of perWindow regions of them, instead of the perWindow least sure
 * themselves (0: those).
 */
public record LabelRequestPolicy(boolean enabled, String measure, int perWindow, Duration window,
    boolean balanced, int representatives) {
  public static final LabelRequestPolicy OFF =
      new LabelRequestPolicy(false, "entropy", 0, Duration.ofMinutes(1), false, 0);

  public LabelRequestPolicy {
    if (!measure.equals("entropy") && !measure.equals("margin")) {
      throw new IllegalArgumentException(
          "label request measure must be entropy or margin, was '" + measure + "'");
    }
    if (representatives < 0) {
      throw new IllegalArgumentException(
          "label request representatives must be 0 or more, was " + representatives);
    }
  }

  /**
   * A window's requests from its {@code unsure} candidates (least sure first, already
   * filtered): the first {@code perWindow}, or with representatives on, one representative of
   * each of {@code perWindow} regions of them by {@code features} (rows for the candidates'
   * pixels), least sure first.
   */
  public List<LabelRequestWindow.Candidate> choose(List<LabelRequestWindow.Candidate> unsure,
      Function<List<float[]>, float[][]> features, long seed) {
    if (!choosesRepresentatives(unsure.size())) {
      return leastSure(unsure);
    }
    float[][] rows =
        features.apply(unsure.stream().map(LabelRequestWindow.Candidate::pixels).toList());
    return Representatives.choose(unsure, rows, perWindow, seed);
  }

  /**
   * The first {@code perWindow} of {@code unsure} (least sure first): the requests without
   * representatives.
   */
  public List<LabelRequestWindow.Candidate> leastSure(List<LabelRequestWindow.Candidate> unsure) {
    return unsure.subList(0, Math.min(perWindow, unsure.size()));
  }

  /**
   * Whether {@link #choose} picks representatives among {@code candidates} images (more than
   * it requests).
   */
  public boolean choosesRepresentatives(int candidates) {
    return representatives > 0 && candidates > perWindow;
  }

  /** How many of the least sure images a window keeps to choose its requests from. */
  public int collected() {
    return perWindow * Math.max(1, representatives);
  }

  /** Higher means less sure, whichever measure is configured. */
  public double uncertainty(Scores scores) {
    return measure.equals("entropy") ? scores.entropy() : 1.0 - scores.margin();
  }
}
