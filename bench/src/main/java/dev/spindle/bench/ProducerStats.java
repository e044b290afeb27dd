package dev.spindle.bench;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * How a producer batched while a path ran, from its own metrics (read before it closes; each
 * pass uses a new producer, so they cover that pass): records per produce request, bytes per
 * batch, and the broker's answer time. A path that sends fewer records per request than the
 * ceiling, with the same settings, pays the per-request costs more often.
 */
record ProducerStats(double recordsPerRequest, double batchBytes, double requestLatencyMs) {
  static final ProducerStats NONE = new ProducerStats(Double.NaN, Double.NaN, Double.NaN);

  static ProducerStats of(Map<MetricName, ? extends Metric> metrics) {
    return new ProducerStats(value(metrics, "records-per-request-avg"),
        value(metrics, "batch-size-avg"), value(metrics, "request-latency-avg"));
  }

  /** Each figure's median over a path's passes. */
  static ProducerStats median(List<Rate> passes) {
    return new ProducerStats(
        Rate.median(passes, p -> p.producer().recordsPerRequest()),
        Rate.median(passes, p -> p.producer().batchBytes()),
        Rate.median(passes, p -> p.producer().requestLatencyMs()));
  }

  private static double value(Map<MetricName, ? extends Metric> metrics, String name) {
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().group().equals("producer-metrics")
            && e.getKey().name().equals(name))
        .map(e -> e.getValue().metricValue())
        .filter(Number.class::isInstance)
        .mapToDouble(v -> ((Number) v).doubleValue())
        .findFirst().orElse(Double.NaN);
  }
}
