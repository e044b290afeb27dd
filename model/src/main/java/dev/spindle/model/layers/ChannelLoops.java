package dev.spindle.model.layers;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs per-channel work over a channels-first batch, on the common fork-join pool when the
 * batch is large enough to pay for it (each channel writes only its own slots, so channels
 * need no locking).
 */
final class ChannelLoops {
  /** Below this many values a batch is looped over on the calling thread. */
  static final int PARALLEL_THRESHOLD = 1 << 16;

  private ChannelLoops() {}

  static void forEachChannel(int channels, long values, IntConsumer work) {
    if (values < PARALLEL_THRESHOLD || channels == 1) {
      for (int c = 0; c < channels; c++) {
        work.accept(c);
      }
    } else {
      IntStream.range(0, channels).parallel().forEach(work);
    }
  }
}
