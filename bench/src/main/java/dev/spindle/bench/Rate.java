package dev.spindle.bench;

import java.util.List;

/**
 * {@code count} items in {@code seconds}, the CPU they took, and how the producer batched them
 * ({@link ProducerStats#NONE} where the path's producer outlives the pass).
 */
record Rate(long count, double seconds, CpuClock.CpuUse cpu, ProducerStats producer) {
  double perSecond() {
    return count / seconds;
  }

  /** Items per second of each of {@code rates}, in order. */
  static double[] perSecond(List<Rate> rates) {
    return rates.stream().mapToDouble(Rate::perSecond).toArray();
  }
}
