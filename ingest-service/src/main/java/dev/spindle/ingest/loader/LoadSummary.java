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
 * @param atLimitSeconds of that, how long the loader waited with its most images in flight
 *     unanswered: the broker's acknowledgements, not validation, set the pace
 */
public record LoadSummary(long total, long accepted, long labeled, long duplicates,
    Map<String, Long> rejectedByReason, long failed, double seconds, double atLimitSeconds) {

  public LoadSummary {
    rejectedByReason = Map.copyOf(rejectedByReason);
  }

  public long rejected() {
    return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  public double imagesPerSecond() {
    return seconds > 0 ? total / seconds : 0;
  }

  /** Share of the wall time spent waiting on acknowledgements with the most in flight, 0..1. */
  public double atLimitShare() {
    return seconds > 0 ? Math.min(1.0, atLimitSeconds / seconds) : 0;
  }

  /** One paragraph for people. */
  public String describe() {
    StringBuilder out = new StringBuilder(String.format(
        "loaded %d inputs in %.1f s (%.0f images/s): accepted %d (labeled %d), duplicates %d, "
            + "rejected %d, failed %d; at its in-flight limit (waiting on acknowledgements) "
            + "%.0f%% of the time",
        total, seconds, imagesPerSecond(), accepted, labeled, duplicates, rejected(), failed,
        100 * atLimitShare()));
    if (!rejectedByReason.isEmpty()) {
      out.append("\n  rejected by reason: ").append(new TreeMap<>(rejectedByReason));
    }
    return out.toString();
  }
}
