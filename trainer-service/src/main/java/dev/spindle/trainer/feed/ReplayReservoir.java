package dev.spindle.trainer.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A bounded uniform sample of every image trained on so far (reservoir sampling, Algorithm R):
 * when the stream is quiet, steps are filled from here, and a burst replaces only its fair
 * share of the sample, so old images are not swamped. Confined to the training thread.
 */
public final class ReplayReservoir {
  private final int capacity;
  private final Random random;
  private final List<float[]> images;
  private long seen;

  public ReplayReservoir(int capacity, long seed) {
    if (capacity < 1) {
      throw new IllegalArgumentException("reservoir capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
    this.random = new Random(seed);
    this.images = new ArrayList<>(Math.min(capacity, 1 << 16));
  }

  public void add(float[] image) {
    seen++;
    if (images.size() < capacity) {
      images.add(image);
      return;
    }
    long slot = (long) (random.nextDouble() * seen);
    if (slot < capacity) {
      images.set((int) slot, image);
    }
  }

  /** Up to {@code n} distinct images, a uniform random subset (all when there are fewer). */
  public List<float[]> distinct(int n) {
    List<float[]> copy = new ArrayList<>(images);
    if (copy.size() <= n) {
      return copy;
    }
    java.util.Collections.shuffle(copy, random);
    return new ArrayList<>(copy.subList(0, n));
  }

  /** {@code n} images drawn uniformly with replacement; empty when the reservoir is. */
  public List<float[]> sample(int n) {
    List<float[]> out = new ArrayList<>(n);
    if (images.isEmpty()) {
      return out;
    }
    for (int i = 0; i < n; i++) {
      out.add(images.get(random.nextInt(images.size())));
    }
    return out;
  }

  public int size() {
    return images.size();
  }

  /** Images ever added (including those no longer held). */
  public long seen() {
    return seen;
  }
}
