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

  /** Topics whose latest value per key is all that matters. */
  public static final List<String> COMPACTED = List.of(MODELS);

  private TopicNames() {
  }
}
