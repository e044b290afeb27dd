package dev.spindle.model.layers;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Runs per-channel (or per-plane) work over a channels-first batch, on the common fork-join
 * pool when the batch is large enough to pay for it (each channel writes only its own slots,
 * so channels need no locking).
 */
final class ChannelLoops {
  /** Below this many values a batch is looped over on the calling thread. */
  static final int PARALLEL_THRESHOLD = 1 << 16;

  private ChannelLoops() {}

  /**
   * Runs {@code work} over ranges [from, to) that together cover [0, count): one range on the
   * calling thread for a small batch ({@code values} in all), else a few per core in parallel.
   * A range is the unit that fetches its thread's scratch arrays.
   */
  static void forEachRange(int count, long values, RangeWork work) {
    int ranges = values < PARALLEL_THRESHOLD ? 1
        : Math.min(count, 4 * ForkJoinPool.getCommonPoolParallelism() + 4);
    if (ranges <= 1) {
      work.run(0, count);
    } else {
      IntStream.range(0, ranges).parallel().forEach(r -> work.run(
          (int) ((long) count * r / ranges), (int) ((long) count * (r + 1) / ranges)));
    }
  }

  /** Work on the channels (or planes) [from, to). */
  interface RangeWork {
    void run(int from, int to);
  }
}
