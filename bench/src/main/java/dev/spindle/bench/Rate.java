package dev.spindle.bench;

/** {@code count} items in {@code seconds}. */
record Rate(long count, double seconds) {
  double perSecond() {
    return count / seconds;
  }
}
