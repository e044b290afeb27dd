package dev.spindle.model.onednn;

import org.bytedeco.javacpp.FloatPointer;

/**
 * One thread's scratch memory for the training operations: the buffers a primitive needs only
 * while one call runs (blocked copies of outputs and gradients on their way to or from the
 * caller's arrays, reordered weights). The layers of a network run one after another on a
 * thread, so they all share it; it grows to the largest call's need and is never shrunk.
 * Freed when the thread's arena is collected.
 */
final class Arena {
  private static final ThreadLocal<Arena> OF_THREAD = ThreadLocal.withInitial(Arena::new);
  private static final int ALIGNMENT = 64;

  private FloatPointer raw;
  private FloatPointer aligned;
  private long floats;

  static Arena ofThisThread() {
    return OF_THREAD.get();
  }

  /** The start of at least {@code needed} floats, 64-byte aligned. */
  FloatPointer atLeast(long needed) {
    if (needed > floats) {
      if (raw != null) {
        raw.close();
      }
      raw = new FloatPointer(needed + ALIGNMENT / Float.BYTES);
      long misaligned = raw.address() % ALIGNMENT;
      aligned = raw.getPointer(misaligned == 0 ? 0 : (ALIGNMENT - misaligned) / Float.BYTES);
      floats = needed;
    }
    return aligned;
  }
}
