package dev.spindle.launcher;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scrape of a service's {@code /metrics} (Prometheus text format): each series with its
 * value, and sums over a metric's label sets.
 */
record MetricsText(Map<String, Double> series) {
  static final MetricsText EMPTY = new MetricsText(Map.of());

  static MetricsText parse(String text) {
    Map<String, Double> series = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int split = line.lastIndexOf(' ');
      if (split <= 0) {
        continue;
      }
      try {
        series.put(line.substring(0, split).trim(), Double.parseDouble(line.substring(split + 1)));
      } catch (NumberFormatException notAValue) {
        // a line this reader does not understand: skipped, not fatal
      }
    }
    return new MetricsText(Map.copyOf(series));
  }

  /** The sum over every label set of {@code name} (a counter's total), 0 when absent. */
  double total(String name) {
    return total(name, "");
  }

  /** The sum over the label sets of {@code name} that contain {@code labels}, e.g. {@code topic="x"}. */
  double total(String name, String labels) {
    return series.entrySet().stream()
        .filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
        .filter(e -> e.getKey().contains(labels))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /** The value of a series without labels, NaN when absent. */
  double value(String name) {
    return series.getOrDefault(name, Double.NaN);
  }
}
