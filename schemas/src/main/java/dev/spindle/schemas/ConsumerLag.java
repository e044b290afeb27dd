package dev.spindle.schemas;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** Consumer lag as Kafka clients measure it, for the services' {@code /metrics}. */
public final class ConsumerLag {
  private ConsumerLag() {
  }

  /**
   * Records not read yet, summed over the partitions a consumer (or a Streams app's
   * consumers) fetches: the {@code records-lag} metrics of {@code metrics}. 0 before the
   * first fetch.
   */
  public static double records(Map<MetricName, ? extends Metric> metrics) {
    return metrics.values().stream()
        .filter(m -> m.metricName().name().equals("records-lag")
            && "consumer-fetch-manager-metrics".equals(m.metricName().group()))
        .mapToDouble(m -> m.metricValue() instanceof Number n ? n.doubleValue() : 0)
        .filter(v -> !Double.isNaN(v) && v >= 0)
        .sum();
  }
}
