package dev.spindle.trainer.feed;

import dev.spindle.model.DataSplit;
import dev.spindle.model.InputShape;
import dev.spindle.trainer.learn.Examples;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every labeled image, newest label winning, split into train and validation by image id.
 * Counts label events (new labels and relabels) so the transfer trigger knows how many
 * arrived since the last transfer. Thread-safe.
 */
public final class LabeledStore {
  private record Entry(float[] pixels, int label) {}

  private final InputShape shape;
  private final int validationPercent;
  private final Map<String, Entry> byId = new LinkedHashMap<>();
  private long labelEvents;
  private long eventsAtLastTransfer;

  public LabeledStore(InputShape shape, int validationPercent) {
    this.shape = shape;
    this.validationPercent = validationPercent;
  }

  /** Applies a labeled image; returns true if it is new or changed the label. */
  public synchronized boolean put(String imageId, float[] pixels, int label) {
    Entry previous = byId.put(imageId, new Entry(pixels, label));
    boolean changed = previous == null || previous.label != label;
    if (changed) {
      labelEvents++;
    }
    return changed;
  }

  public synchronized int size() {
    return byId.size();
  }

  /** Label events (new labels and relabels) since the last {@link #markTransfer}. */
  public synchronized long newLabelsSinceTransfer() {
    return labelEvents - eventsAtLastTransfer;
  }

  /** All label events ever applied (the trigger position kept in checkpoints). */
  public synchronized long labelEvents() {
    return labelEvents;
  }

  public synchronized long labelEventsAtLastTransfer() {
    return eventsAtLastTransfer;
  }

  /** Records that a transfer used everything up to {@code events}. */
  public synchronized void markTransfer(long events) {
    eventsAtLastTransfer = Math.max(eventsAtLastTransfer, events);
  }

  /** A consistent copy: train and validation examples. */
  public synchronized Snapshot snapshot() {
    List<float[]> trainImages = new ArrayList<>();
    List<Integer> trainLabels = new ArrayList<>();
    List<float[]> validationImages = new ArrayList<>();
    List<Integer> validationLabels = new ArrayList<>();
    byId.forEach((id, entry) -> {
      boolean validation = DataSplit.isValidation(id, validationPercent);
      (validation ? validationImages : trainImages).add(entry.pixels);
      (validation ? validationLabels : trainLabels).add(entry.label);
    });
    return new Snapshot(
        new Examples(shape, trainImages, toArray(trainLabels)),
        new Examples(shape, validationImages, toArray(validationLabels)),
        labelEvents);
  }

  /** Train and validation examples at label event {@code events}. */
  public record Snapshot(Examples train, Examples validation, long events) {
    public int labelsUsed() {
      return train.size() + validation.size();
    }
  }

  private static int[] toArray(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }
}
