package dev.spindle.serving.stream;

import dev.spindle.serving.holder.Scores;

/**
 * What the prediction stream tells the rest of the service as it goes (the drift monitor's
 * traffic sample, the dashboard). Called on stream threads: keep it quick. Advisory only: a
 * transaction that aborts may already have reported its records.
 */
public interface PredictionListener {
  PredictionListener NONE = (imageId, pixels, scores, modelVersion) -> {};

  /** One image predicted: its preprocessed pixels and scores, by which model. */
  void predicted(String imageId, float[] pixels, Scores scores, long modelVersion);

  /** One inference over {@code images} images of the stream, which took {@code nanos}. */
  default void batchPredicted(int images, long nanos) {}

  /** One label request published for this candidate, in the window closed at {@code at}. */
  default void labelRequested(LabelRequestWindow.Candidate request, long at) {}
}
