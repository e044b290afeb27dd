package dev.spindle.serving;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Serving's Prometheus metrics. */
public final class ServingMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  final Counter requests = Counter.builder().name("spindle_serving_predict_requests")
      .help("HTTP predict requests, by outcome").labelNames("outcome").register(registry);
  final Histogram latency = Histogram.builder().name("spindle_serving_predict_latency_seconds")
      .help("HTTP predict latency, decode to answer")
      .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
      .register(registry);
  final Counter offers = Counter.builder().name("spindle_serving_model_offers")
      .help("Model versions offered, by decision").labelNames("decision").register(registry);
  final Gauge servingVersion = Gauge.builder().name("spindle_serving_model_version")
      .help("The model version answering requests (0: none)").register(registry);
  final Gauge rotationAccuracy = Gauge.builder().name("spindle_serving_rotation_accuracy")
      .help("Label-free health: the backbone's rotation accuracy on recent traffic")
      .register(registry);
  final Gauge swaps = Gauge.builder().name("spindle_serving_model_swaps")
      .help("Times the serving model changed").register(registry);
  final Histogram swapLatency = Histogram.builder().name("spindle_serving_swap_latency_seconds")
      .help("From a model's models event (its createdAt) to serving it, for models published "
          + "while this service runs")
      .classicUpperBounds(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)
      .register(registry);
  final Counter streamPredictions = Counter.builder().name("spindle_serving_stream_predictions")
      .help("Images the prediction stream predicted (advisory: counted before the transaction "
          + "commits)").register(registry);
  final Histogram streamBatchImages = Histogram.builder()
      .name("spindle_serving_stream_batch_images")
      .help("Images per inference of the prediction stream (serving.batch.size at most)")
      .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
  final Histogram streamBatchSeconds = Histogram.builder()
      .name("spindle_serving_stream_batch_seconds")
      .help("Time of one inference of the prediction stream")
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
      .register(registry);
  final Counter labelRequests = Counter.builder().name("spindle_serving_label_requests")
      .help("Label requests published").register(registry);
  final Gauge streamLag = Gauge.builder().name("spindle_serving_stream_lag_records")
      .help("Records of images.unlabeled the prediction stream has not read yet (consumer lag)")
      .register(registry);

  /** The Prometheus text exposition. */
  public String scrape() throws IOException {
    var text = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(text, registry.scrape());
    return text.toString(StandardCharsets.UTF_8);
  }
}
