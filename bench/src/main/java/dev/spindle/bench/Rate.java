package dev.spindle.bench;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * {@code count} items in {@code seconds}, the CPU they took, and how the producer batched them
 * ({@link ProducerStats#NONE} where the path's producer outlives the pass).
 */
record Rate(long count, double seconds, CpuClock.CpuUse cpu, ProducerStats producer) {
  double perSecond() {
    return count / seconds;
  }

  /** The median of {@code figure} over a path's passes. */
  static double median(List<Rate> passes, ToDoubleFunction<Rate> figure) {
    return IngestBenchmark.Passes.median(passes.stream().mapToDouble(figure).toArray());
  }

  /** Items per second of each of {@code rates}, in order. */
  static double[] perSecond(List<Rate> rates) {
    return rates.stream().mapToDouble(Rate::perSecond).toArray();
  }
}
