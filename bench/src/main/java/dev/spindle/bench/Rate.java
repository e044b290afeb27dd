package dev.spindle.bench;

/** {@code count} items in {@code seconds}, and the CPU they took (null: not measured). */
record Rate(long count, double seconds, CpuClock.CpuUse cpu) {
  Rate(long count, double seconds) {
    this(count, seconds, null);
  }

  double perSecond() {
    return count / seconds;
  }
}
