package dev.spindle.bench.serving;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** Request latencies (ns) and failures from many threads; percentiles at the end. */
final class LatencyRecorder {
  private final long[] samples;
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  LatencyRecorder(int capacity) {
    samples = new long[capacity];
  }

  void record(long nanos) {
    long i = count.getAndIncrement();
    if (i < samples.length) {
      samples[(int) i] = nanos;
    }
  }

  void failed() {
    failures.incrementAndGet();
  }

  long failures() {
    return failures.get();
  }

  long count() {
    return Math.min(count.get(), samples.length);
  }

  /** The q-quantile in milliseconds (q in 0..1). */
  double percentileMs(double q) {
    long n = count();
    if (n == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(samples, (int) n);
    Arrays.sort(sorted);
    return sorted[(int) Math.min(n - 1, Math.round(q * (n - 1)))] / 1e6;
  }
}
