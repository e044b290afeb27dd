package dev.spindle.serving.dashboard;

import dev.spindle.model.InputShape;
import dev.spindle.serving.holder.ModelHolder;
import dev.spindle.serving.holder.ModelRecord;
import dev.spindle.serving.holder.Scores;
import dev.spindle.serving.holder.ServedModel;
import dev.spindle.serving.stream.LabelRequestWindow;
import dev.spindle.serving.stream.PredictionListener;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the dashboard shows, kept in memory as it happens: the model history (from the holder),
 * the backbone's rotation accuracy on recent traffic over time, the latest label requests and
 * the latest stream predictions, both with their images. Bounded; thumbnails are encoded only
 * when the dashboard asks.
 */
public final class Dashboard implements PredictionListener {
  static final int PREDICTIONS = 24;
  static final int LABEL_REQUESTS = 20;
  static final int ROTATION_POINTS = 240;

  private record Predicted(String imageId, float[] pixels, Scores scores, long modelVersion, long at) {}

  private record Requested(LabelRequestWindow.Candidate request, long at) {}

  private static final Comparator<Requested> NEWEST_WINDOW_LEAST_SURE_FIRST =
      Comparator.comparingLong(Requested::at).reversed().thenComparing(
          Comparator.comparingDouble((Requested r) -> r.request().uncertainty()).reversed());

  private final ModelHolder holder;
  private final Clock clock;
  private final Deque<Predicted> predictions = new ArrayDeque<>();
  private final Deque<Requested> labelRequests = new ArrayDeque<>();
  private final Deque<Map<String, Object>> rotation = new ArrayDeque<>();

  public Dashboard(ModelHolder holder, Clock clock) {
    this.holder = holder;
    this.clock = clock;
  }

  @Override
  public synchronized void predicted(String imageId, float[] pixels, Scores scores, long modelVersion) {
    keep(predictions, new Predicted(imageId, pixels, scores, modelVersion, clock.millis()), PREDICTIONS);
  }

  @Override
  public synchronized void labelRequested(LabelRequestWindow.Candidate request, long at) {
    keep(labelRequests, new Requested(request, at), LABEL_REQUESTS);
  }

  /** A drift check's result: the rotation accuracy of the backbone on recent traffic. */
  public synchronized void rotationAccuracy(double accuracy) {
    if (!Double.isNaN(accuracy)) {
      keep(rotation, Map.of("at", clock.millis(), "accuracy", accuracy), ROTATION_POINTS);
    }
  }

  /** Everything the page draws, newest last for series and newest first for lists. */
  public Map<String, Object> snapshot() {
    Optional<ServedModel> current = holder.current();
    Optional<InputShape> shape = current.map(m -> m.preprocessor().shape());
    List<Predicted> recent;
    List<Requested> requests;
    Map<String, Object> out = new LinkedHashMap<>();
    synchronized (this) {
      recent = new ArrayList<>(predictions);
      requests = new ArrayList<>(labelRequests);
      out.put("rotation", List.copyOf(rotation));
    }
    out.put("labelRequests", requests.stream().sorted(NEWEST_WINDOW_LEAST_SURE_FIRST)
        .map(r -> requestRow(r, shape)).toList());
    out.put("serving", current.map(ServedModel::version).orElse(null));
    out.put("pinned", holder.pinned().orElse(null));
    out.put("models", holder.history().stream().map(Dashboard::model).toList());
    List<Map<String, Object>> shown = new ArrayList<>();
    for (Predicted p : reversed(recent)) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("imageId", p.imageId());
      row.put("label", p.scores().label());
      row.put("confidence", p.scores().confidence());
      row.put("modelVersion", p.modelVersion());
      row.put("at", p.at());
      row.put("thumbnail", thumbnail(p.pixels(), shape));
      shown.add(row);
    }
    out.put("predictions", shown);
    return out;
  }

  private static Map<String, Object> requestRow(Requested r, Optional<InputShape> shape) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("imageId", r.request().imageId());
    row.put("predicted", r.request().predicted());
    row.put("uncertainty", r.request().uncertainty());
    row.put("modelVersion", r.request().modelVersion());
    row.put("at", r.at());
    row.put("thumbnail", thumbnail(r.request().pixels(), shape));
    return row;
  }

  /** The image as a data URI, or null when it is missing or not of the served model's shape. */
  private static String thumbnail(float[] pixels, Optional<InputShape> shape) {
    return pixels == null ? null : shape.filter(s -> s.size() == pixels.length)
        .map(s -> Thumbnails.dataUri(pixels, s)).orElse(null);
  }

  private static Map<String, Object> model(ModelRecord record) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("version", record.version());
    out.put("backboneVersion", record.backboneVersion());
    out.put("status", record.status());
    out.put("reason", record.reason());
    out.put("gatingAccuracy", Double.isNaN(record.gatingAccuracy()) ? null : record.gatingAccuracy());
    out.put("validationAccuracy", record.trainerMetrics().get("accuracy"));
    out.put("at", record.at().toEpochMilli());
    return out;
  }

  private static <T> void keep(Deque<T> ring, T item, int capacity) {
    ring.addLast(item);
    while (ring.size() > capacity) {
      ring.removeFirst();
    }
  }

  private static <T> List<T> reversed(List<T> items) {
    List<T> out = new ArrayList<>(items);
    java.util.Collections.reverse(out);
    return out;
  }
}
