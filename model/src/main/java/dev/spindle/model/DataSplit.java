package dev.spindle.model;

/**
 * Deterministic splits by image id (hex SHA-256): the same image lands on the same side in
 * every run and in every service (serving's gating set uses the same rule).
 */
public final class DataSplit {
  private DataSplit() {}

  /** A stable bucket 0..99 from the id's leading hex digits. */
  public static int bucket(String imageId) {
    if (imageId.length() >= 8) {
      try {
        return (int) (Long.parseLong(imageId.substring(0, 8), 16) % 100);
      } catch (NumberFormatException e) {
        // not hex: fall through to the string hash
      }
    }
    return Math.floorMod(imageId.hashCode(), 100);
  }

  /** Whether a labeled image is in the validation split. */
  public static boolean isValidation(String imageId, int validationPercent) {
    return bucket(imageId) < validationPercent;
  }

  /**
   * Whether an unlabeled image is held out of pretraining to measure pretext accuracy. Uses
   * the top buckets so that it does not correlate with the validation split.
   */
  public static boolean isHoldout(String imageId, int holdoutPercent) {
    return bucket(imageId) >= 100 - holdoutPercent;
  }
}
