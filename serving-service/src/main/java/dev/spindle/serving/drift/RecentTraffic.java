package dev.spindle.serving.drift;

import java.util.ArrayList;
import java.util.List;

/** The last {@code capacity} preprocessed images served (HTTP and stream), for drift checks. */
public final class RecentTraffic {
  private final float[][] ring;
  private long written;

  public RecentTraffic(int capacity) {
    this.ring = new float[capacity][];
  }

  public synchronized void add(float[] pixels) {
    ring[(int) (written++ % ring.length)] = pixels;
  }

  /** Images answered so far (HTTP and stream, committed or not). */
  public synchronized long seen() {
    return written;
  }

  /** The images held now, of the expected size only (a model change may change the shape). */
  public synchronized List<float[]> snapshot(int size) {
    List<float[]> out = new ArrayList<>(ring.length);
    for (float[] pixels : ring) {
      if (pixels != null && pixels.length == size) {
        out.add(pixels);
      }
    }
    return out;
  }
}
