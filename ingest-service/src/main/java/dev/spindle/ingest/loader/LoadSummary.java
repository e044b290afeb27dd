package dev.spindle.ingest.loader;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a bulk load did.
 *
 * @param total inputs seen
 * @param accepted images newly published (and acknowledged)
 * @param labeled of those, how many carried a label
 * @param duplicates inputs already in Kafka, not published again
 * @param rejectedByReason inputs refused by validation, by reason code
 * @param failed inputs Kafka did not acknowledge (to be loaded again)
 * @param seconds wall time
 */
public record LoadSummary(long total, long accepted, long labeled, long duplicates,
    Map<String, Long> rejectedByReason, long failed, double seconds) {

  public LoadSummary {
    rejectedByReason = Map.copyOf(rejectedByReason);
  }

  public long rejected() {
    return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  public double imagesPerSecond() {
    return seconds > 0 ? total / seconds : 0;
  }

  /** One paragraph for people. */
  public String describe() {
    StringBuilder out = new StringBuilder(String.format(
        "loaded %d inputs in %.1f s (%.0f images/s): accepted %d (labeled %d), duplicates %d, "
            + "rejected %d, failed %d",
        total, seconds, imagesPerSecond(), accepted, labeled, duplicates, rejected(), failed));
    if (!rejectedByReason.isEmpty()) {
      out.append("\n  rejected by reason: ").append(new TreeMap<>(rejectedByReason));
    }
    return out.toString();
  }
}
