package dev.spindle.ingest;

import dev.spindle.ingest.validation.Rejection;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Ingest's Prometheus metrics: accepted, rejected by reason, duplicates, publish latency. */
public final class IngestMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter accepted = Counter.builder().name("spindle_ingest_accepted")
      .help("Records acknowledged by the broker, by topic").labelNames("topic")
      .register(registry);
  private final Counter rejected = Counter.builder().name("spindle_ingest_rejected")
      .help("Inputs refused, by reason").labelNames("reason").register(registry);
  private final Counter duplicates = Counter.builder().name("spindle_ingest_duplicates")
      .help("Uploads of images already in Kafka (not published again)").register(registry);
  private final Counter unavailable = Counter.builder().name("spindle_ingest_unavailable")
      .help("Uploads answered 503: Kafka or the registry did not acknowledge in time")
      .register(registry);
  private final Histogram publishLatency = Histogram.builder()
      .name("spindle_ingest_publish_latency_seconds")
      .help("Time from accepting an input to the broker's acknowledgement")
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .register(registry);

  public void accepted(String topic) {
    accepted.labelValues(topic).inc();
  }

  public void rejected(Rejection reason) {
    rejected.labelValues(reason.code()).inc();
  }

  public void duplicate() {
    duplicates.inc();
  }

  public void unavailable() {
    unavailable.inc();
  }

  public void published(long startedNanos) {
    publishLatency.observe((System.nanoTime() - startedNanos) / 1e9);
  }

  /** The Prometheus text exposition of all ingest metrics. */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
