package dev.spindle.bench;

import java.util.List;

/** {@code count} items in {@code seconds}, and the CPU they took. */
record Rate(long count, double seconds, CpuClock.CpuUse cpu) {
  double perSecond() {
    return count / seconds;
  }

  /** Items per second of each of {@code rates}, in order. */
  static double[] perSecond(List<Rate> rates) {
    return rates.stream().mapToDouble(Rate::perSecond).toArray();
  }
}
