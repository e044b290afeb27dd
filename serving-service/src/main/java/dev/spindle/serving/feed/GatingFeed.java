package dev.spindle.serving.feed;

import dev.spindle.schemas.AvroBytes;
import dev.spindle.model.DataSplit;
import dev.spindle.schemas.avro.LabeledImage;
import dev.spindle.serving.holder.GatingSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gating set, kept current from {@code images.labeled}: images in the validation split
 * (the trainer's rule, so it never trains on them), newest label winning, at most
 * {@code maxImages} (the newest). Also remembers every labeled image id, so label requests
 * skip them. Thread-safe.
 */
public final class GatingFeed {
  private record Entry(byte[] image, String label) {}

  private final int validationPercent;
  private final int maxImages;
  private final Map<String, Entry> byId = new LinkedHashMap<>();
  private final java.util.Set<String> labeledIds = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public GatingFeed(int validationPercent, int maxImages) {
    this.validationPercent = validationPercent;
    this.maxImages = maxImages;
  }

  public synchronized void accept(String imageId, LabeledImage labeled) {
    if (labeled == null) {
      return;
    }
    labeledIds.add(imageId);
    if (!DataSplit.isValidation(imageId, validationPercent)) {
      return;
    }
    byId.remove(imageId);
    byId.put(imageId, new Entry(AvroBytes.toArray(labeled.getImage().getBytes()), labeled.getLabel()));
    while (byId.size() > maxImages) {
      byId.remove(byId.keySet().iterator().next());
    }
  }

  /** Whether any label (either split) arrived for {@code imageId}: it needs no label request. */
  public boolean isLabeled(String imageId) {
    return labeledIds.contains(imageId);
  }

  public synchronized GatingSet snapshot() {
    List<byte[]> images = new ArrayList<>(byId.size());
    List<String> labels = new ArrayList<>(byId.size());
    byId.values().forEach(e -> {
      images.add(e.image);
      labels.add(e.label);
    });
    return new GatingSet(images, labels);
  }

}
