package dev.spindle.trainer.feed;

import dev.spindle.model.DataSplit;
import dev.spindle.model.InputShape;
import dev.spindle.trainer.learn.Examples;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every labeled image, newest label winning, split into train and validation by image id.
 * Counts label events (new labels and relabels) so the transfer trigger knows how many
 * arrived since the last transfer, and where in {@code images.labeled} the last transfer
 * stood, so that a restarted trainer reading the topic back counts as new only what came
 * after it (compaction may have removed relabels before it, so the counts alone would not
 * say). Thread-safe.
 */
public final class LabeledStore {
  private record Entry(float[] pixels, int label) {}

  private final InputShape shape;
  private final int validationPercent;
  private final Map<String, Entry> byId = new LinkedHashMap<>();
  private long labelEvents;
  private long eventsAtLastTransfer;
  /** Per partition of images.labeled: the next offset after the records applied. */
  private final Map<Integer, Long> positions = new HashMap<>();
  private Map<Integer, Long> positionsAtLastTransfer = Map.of();
  /** The last transfer's positions, restored from a checkpoint: records below are used. */
  private Map<Integer, Long> restoredMark = Map.of();

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

  /**
   * Applies the labeled image of record {@code offset} of {@code partition}; a label event
   * below a restored mark ({@link #restoreMark}) was used by the transfer before the restart.
   */
  public synchronized boolean put(String imageId, float[] pixels, int label, int partition,
      long offset) {
    boolean changed = put(imageId, pixels, label);
    positions.merge(partition, offset + 1, Math::max);
    if (changed && offset < restoredMark.getOrDefault(partition, 0L)) {
      eventsAtLastTransfer++;
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

  /** Where in images.labeled the last transfer stood (kept in checkpoints). */
  public synchronized Map<Integer, Long> positionsAtLastTransfer() {
    return positionsAtLastTransfer;
  }

  /** Records that a transfer used everything up to {@code events}. */
  public synchronized void markTransfer(long events) {
    eventsAtLastTransfer = Math.max(eventsAtLastTransfer, events);
  }

  /** Records that a transfer used the snapshot taken at {@code used}. */
  public synchronized void markTransfer(Snapshot used) {
    markTransfer(used.events());
    positionsAtLastTransfer = used.positions();
  }

  /**
   * Before the topic is read back, a checkpoint's mark of the last transfer: the records below
   * {@code positions} were used by it; a checkpoint from before positions were kept (empty)
   * has only its event count, {@code events}.
   */
  public synchronized void restoreMark(long events, Map<Integer, Long> positions) {
    if (positions.isEmpty()) {
      markTransfer(events);
      return;
    }
    restoredMark = Map.copyOf(positions);
    positionsAtLastTransfer = restoredMark;
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
        labelEvents, Map.copyOf(positions));
  }

  /**
   * Train and validation examples at label event {@code events}, with the records read to
   * {@code positions} (per partition, the next offset).
   */
  public record Snapshot(Examples train, Examples validation, long events,
      Map<Integer, Long> positions) {
    public int labelsUsed() {
      return train.size() + validation.size();
    }
  }

  private static int[] toArray(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }
}
