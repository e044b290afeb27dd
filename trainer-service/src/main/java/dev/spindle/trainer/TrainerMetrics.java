package dev.spindle.trainer;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The trainer's Prometheus metrics. */
public final class TrainerMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  final Counter steps = Counter.builder().name("spindle_trainer_pretrain_steps")
      .help("Rotation pretraining steps").register(registry);
  final Counter imagesConsumed = Counter.builder().name("spindle_trainer_images_consumed")
      .help("Image records read from the image topics, by topic").labelNames("topic")
      .register(registry);
  final Counter unusable = Counter.builder().name("spindle_trainer_unusable_records")
      .help("Records sent to dead-letters (undecodable, unknown label)").register(registry);
  final Gauge rotationLoss = Gauge.builder().name("spindle_trainer_rotation_loss")
      .help("Loss of the latest pretraining step").register(registry);
  final Gauge pretextAccuracy = Gauge.builder().name("spindle_trainer_pretext_accuracy")
      .help("Rotation accuracy on the held-out unlabeled sample").register(registry);
  final Gauge holdoutSize = Gauge.builder().name("spindle_trainer_holdout_images")
      .help("Held-out unlabeled images for the pretext accuracy").register(registry);
  final Gauge reservoirSize = Gauge.builder().name("spindle_trainer_reservoir_images")
      .help("Images in the replay reservoir").register(registry);
  final Gauge labeledImages = Gauge.builder().name("spindle_trainer_labeled_images")
      .help("Labeled images in the store (train + validation)").register(registry);
  final Gauge backboneVersion = Gauge.builder().name("spindle_trainer_backbone_version")
      .help("Latest checkpointed backbone version").register(registry);
  final Counter checkpoints = Counter.builder().name("spindle_trainer_checkpoints")
      .help("Checkpoint writes, by outcome (written, failed)").labelNames("outcome")
      .register(registry);
  final Gauge lastCheckpoint = Gauge.builder()
      .name("spindle_trainer_last_checkpoint_timestamp_seconds")
      .help("When the newest checkpoint was written (Unix time)").register(registry);
  final Gauge modelVersion = Gauge.builder().name("spindle_trainer_model_version")
      .help("Latest published model version").register(registry);
  final Gauge modelAccuracy = Gauge.builder().name("spindle_trainer_model_validation_accuracy")
      .help("Validation accuracy of the latest published model").register(registry);
  final Gauge consumerLag = Gauge.builder().name("spindle_trainer_consumer_lag_records")
      .help("Records of images.unlabeled and images.labeled the trainer has not read yet")
      .register(registry);
  final Gauge pretrainingPaused = Gauge.builder().name("spindle_trainer_pretraining_paused")
      .help("1 while rotation pretraining waits for a transfer (trainer.transfer.exclusive)")
      .register(registry);
  final Counter transfers = Counter.builder().name("spindle_trainer_transfers")
      .help("Two-stage transfers, by outcome").labelNames("outcome").register(registry);
  final Histogram transferSeconds = Histogram.builder()
      .name("spindle_trainer_transfer_seconds").help("Duration of a two-stage transfer")
      .classicUpperBounds(1, 5, 10, 30, 60, 120, 300, 600, 1800).register(registry);

  /** The Prometheus text exposition. */
  public String scrape() throws IOException {
    var text = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(text, registry.scrape());
    return text.toString(StandardCharsets.UTF_8);
  }
}
