package dev.spindle.serving.stream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The least sure candidates of the current window: bounded min-heaps on uncertainty, so the
 * window keeps its {@code capacity} most uncertain images whatever the traffic. Balanced, it
 * keeps that many per predicted class and {@link #drain} takes them in turns, class by class:
 * an equal share for every class the model predicts, instead of a window full of the one or
 * two classes it confuses most (plain uncertainty sampling's cold-start bias, measured by
 * {@code bin/spindle bench-active}). In memory only: a crash loses at most one window of
 * (advisory) requests.
 */
public final class LabelRequestWindow {
  /**
   * An image the model was unsure about, with the class it predicted and its preprocessed
   * pixels (for {@link Representatives} and the dashboard's thumbnail; null where the caller
   * has none).
   */
  public record Candidate(String imageId, double uncertainty, long modelVersion, String predicted,
      float[] pixels) {
    public Candidate(String imageId, double uncertainty, long modelVersion, String predicted) {
      this(imageId, uncertainty, modelVersion, predicted, null);
    }
  }

  private static final Comparator<Candidate> LEAST_SURE_LAST =
      Comparator.comparingDouble(Candidate::uncertainty);

  private final int capacity;
  private final boolean balanced;
  private final Map<String, PriorityQueue<Candidate>> heaps = new LinkedHashMap<>();
  /** The ids in any heap: an image is held once per window, whatever class it was given. */
  private final Set<String> held = new HashSet<>();

  public LabelRequestWindow(int capacity, boolean balanced) {
    this.capacity = capacity;
    this.balanced = balanced;
  }

  public void offer(Candidate candidate) {
    if (capacity <= 0 || held.contains(candidate.imageId())) {
      return;
    }
    PriorityQueue<Candidate> heap = heaps.computeIfAbsent(
        balanced ? candidate.predicted() : "", k -> new PriorityQueue<>(LEAST_SURE_LAST));
    if (heap.size() < capacity) {
      add(heap, candidate);
    } else if (heap.peek().uncertainty() < candidate.uncertainty()) {
      held.remove(heap.poll().imageId());
      add(heap, candidate);
    }
  }

  private void add(PriorityQueue<Candidate> heap, Candidate candidate) {
    heap.add(candidate);
    held.add(candidate.imageId());
  }

  /**
   * At most {@code capacity} of the window's candidates, least sure first (balanced: one per
   * class in turn, each class's least sure first); the window starts empty again.
   */
  public List<Candidate> drain() {
    List<List<Candidate>> perClass = new ArrayList<>();
    for (PriorityQueue<Candidate> heap : heaps.values()) {
      List<Candidate> sorted = new ArrayList<>(heap);
      sorted.sort(LEAST_SURE_LAST.reversed());
      perClass.add(sorted);
    }
    heaps.clear();
    held.clear();
    perClass.sort(Comparator.comparingDouble((List<Candidate> l) -> -l.get(0).uncertainty()));
    List<Candidate> out = new ArrayList<>();
    for (int round = 0; out.size() < capacity; round++) {
      boolean any = false;
      for (List<Candidate> candidates : perClass) {
        if (round < candidates.size() && out.size() < capacity) {
          out.add(candidates.get(round));
          any = true;
        }
      }
      if (!any) {
        break;
      }
    }
    return out;
  }
}
