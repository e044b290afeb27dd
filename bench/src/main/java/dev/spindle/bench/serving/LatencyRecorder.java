package dev.spindle.bench.serving;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request latencies (ns) from many threads, as the client saw them and as the server reported
 * them ({@code Server-Timing}), and failures; percentiles at the end.
 */
final class LatencyRecorder {
  private final long[] samples;
  private final long[] serverSamples;
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  LatencyRecorder(int capacity) {
    samples = new long[capacity];
    serverSamples = new long[capacity];
  }

  /** One answered request: client-side nanos, and the server's own (-1 when not reported). */
  void record(long nanos, long serverNanos) {
    long i = count.getAndIncrement();
    if (i < samples.length) {
      samples[(int) i] = nanos;
      serverSamples[(int) i] = serverNanos;
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

  /** The q-quantile of client-side latency in milliseconds (q in 0..1). */
  double percentileMs(double q) {
    return percentileMs(samples, q);
  }

  /** The q-quantile of the server's own time (Server-Timing) in milliseconds, NaN if unreported. */
  double serverPercentileMs(double q) {
    return percentileMs(serverSamples, q);
  }

  private double percentileMs(long[] from, double q) {
    long[] sorted = Arrays.stream(from, 0, (int) count()).filter(v -> v >= 0).toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] / 1e6;
  }
}
