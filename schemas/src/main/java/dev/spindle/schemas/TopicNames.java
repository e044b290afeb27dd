package dev.spindle.schemas;

import java.util.List;

/** The names of Spindle's topics, defined once. */
public final class TopicNames {
  public static final String IMAGES_UNLABELED = "images.unlabeled";
  public static final String IMAGES_LABELED = "images.labeled";
  public static final String LABELS = "labels";
  public static final String MODELS = "models";
  public static final String PREDICTIONS = "predictions";
  public static final String LABEL_REQUESTS = "label-requests";
  public static final String DEAD_LETTERS = "dead-letters";

  /** Every topic, in data-flow order. */
  public static final List<String> ALL =
      List.of(IMAGES_UNLABELED, IMAGES_LABELED, LABELS, MODELS, PREDICTIONS, LABEL_REQUESTS,
          DEAD_LETTERS);

  /**
   * Topics whose latest value per key is all that matters, and which services read from the
   * beginning to rebuild their state at every start (the trainer's labeled store and serving's
   * gating set from {@code images.labeled}, serving's model history from {@code models}): kept
   * by compaction, never deleted by age. Under the broker's default retention (7 days) a
   * trainer restarted after a week would have forgotten every older label.
   */
  public static final List<String> COMPACTED = List.of(IMAGES_LABELED, LABELS, MODELS);

  private TopicNames() {
  }
}
