package dev.spindle.trainer.feed;

import org.apache.kafka.common.TopicPartition;

/**
 * An image record from {@code images.unlabeled} or {@code images.labeled}, decoded to model
 * input. {@code label} is the class index, or -1 for an unlabeled image.
 */
public record FeedImage(TopicPartition source, long offset, String imageId, float[] pixels, int label) {
  public boolean isLabeled() {
    return label >= 0;
  }
}
