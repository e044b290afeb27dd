package dev.spindle.serving.holder;

/**
 * When a candidate model counts as worse than the serving one on the gating set. Both models
 * answer the same labeled images, so the comparison is paired: only the images exactly one of
 * them gets right say anything. A candidate is rejected when its accuracy is lower by more
 * than {@code margin} <em>and</em> that difference is unlikely to be chance: McNemar's
 * statistic {@code (b - c) / sqrt(b + c)} is at least {@code minZ}, where b counts the images
 * only the serving model gets right and c those only the candidate gets right.
 *
 * <p>Why: the gating set is the validation split of the labels, which is small while labels
 * are few (45 images for 200 labels) and made of hard images once labels come from label
 * requests. There one image more or less moves accuracy by two points, and a bare margin
 * rejected models that were better on the test set. {@code minZ = 0} restores the bare margin.
 *
 * @param margin accuracy a candidate may lose and still be promoted
 * @param minZ the paired z a loss beyond the margin needs before it rejects (1.645: one-sided 5%)
 */
public record GatePolicy(double margin, double minZ) {
  public static final double DEFAULT_MIN_Z = 1.645;

  public GatePolicy {
    if (margin < 0 || minZ < 0) {
      throw new IllegalArgumentException("gate margin and min z must be >= 0: " + margin + ", " + minZ);
    }
  }

  public static GatePolicy withMargin(double margin) {
    return new GatePolicy(margin, DEFAULT_MIN_Z);
  }

  /** Whether {@code comparison} shows the candidate worse beyond the margin, and not by chance. */
  public boolean rejects(GatingSet.Comparison comparison) {
    return comparison.candidateAccuracy() < comparison.servingAccuracy() - margin
        && comparison.z() >= minZ;
  }
}
