package dev.spindle.bench.speed;

import java.util.Arrays;

/**
 * Times a step the way the peer does: {@code warmup} untimed calls, then {@code steps} timed
 * ones; the figure is the median, the spread the 10th and 90th percentiles.
 */
record StepTimer(int warmup, int steps) {

  /** Per-call seconds of one timed run. */
  record Timing(double medianSeconds, double p10Seconds, double p90Seconds) {
    /** Items per second at the median, for a step that handles {@code items}. */
    double rate(int items) {
      return items / medianSeconds;
    }

    /** The spread as a share of the median: (p90 - p10) / median. */
    double spread() {
      return (p90Seconds - p10Seconds) / medianSeconds;
    }
  }

  Timing time(Runnable step) {
    for (int i = 0; i < warmup; i++) {
      step.run();
    }
    double[] seconds = new double[steps];
    for (int i = 0; i < steps; i++) {
      long start = System.nanoTime();
      step.run();
      seconds[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(seconds);
    return new Timing(percentile(seconds, 0.5), percentile(seconds, 0.1), percentile(seconds, 0.9));
  }

  private static double percentile(double[] sorted, double q) {
    double position = q * (sorted.length - 1);
    int low = (int) Math.floor(position);
    int high = (int) Math.ceil(position);
    return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
  }
}
