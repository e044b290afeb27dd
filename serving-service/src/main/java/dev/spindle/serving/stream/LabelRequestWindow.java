package dev.spindle.serving.stream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The least sure candidates of the current window: a bounded min-heap on uncertainty, so the
 * window keeps its {@code capacity} most uncertain images whatever the traffic. In memory only:
 * a crash loses at most one window of (advisory) requests.
 */
final class LabelRequestWindow {
  record Candidate(String imageId, double uncertainty, long modelVersion) {}

  private final int capacity;
  private final PriorityQueue<Candidate> heap =
      new PriorityQueue<>(Comparator.comparingDouble(Candidate::uncertainty));

  LabelRequestWindow(int capacity) {
    this.capacity = capacity;
  }

  void offer(Candidate candidate) {
    if (capacity <= 0 || heap.stream().anyMatch(c -> c.imageId().equals(candidate.imageId()))) {
      return;
    }
    if (heap.size() < capacity) {
      heap.add(candidate);
    } else if (heap.peek().uncertainty() < candidate.uncertainty()) {
      heap.poll();
      heap.add(candidate);
    }
  }

  /** The window's candidates, least sure first; the window starts empty again. */
  List<Candidate> drain() {
    List<Candidate> out = new ArrayList<>(heap);
    heap.clear();
    out.sort(Comparator.comparingDouble(Candidate::uncertainty).reversed());
    return out;
  }
}
