package dev.spindle.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's closing numbers: one row per model version that was served (labels used, its
 * validation accuracy from the trainer, its accuracy on the 10k test set, when it was served
 * and how long after the labels that completed it), plus run-wide figures. Printed as a table
 * and written as markdown and JSON.
 */
final class DemoReport {
  /** One served model version. */
  record Row(long version, long backboneVersion, long labelsUsed, double validationAccuracy,
      double testAccuracy, double servedAtSeconds, Double labelToServingSeconds) {
  }

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, Object> figures = new LinkedHashMap<>();

  void add(Row row) {
    rows.add(row);
  }

  void put(String name, Object value) {
    figures.put(name, value);
  }

  String table() {
    StringBuilder out = new StringBuilder();
    out.append("| model | backbone | labels used | validation acc | test acc (10k) | served at "
        + "| label -> serving |\n|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      out.append(String.format("| v%d | v%d | %d | %.4f | %.4f | %s | %s |%n", r.version(),
          r.backboneVersion(), r.labelsUsed(), r.validationAccuracy(), r.testAccuracy(),
          clock(r.servedAtSeconds()),
          r.labelToServingSeconds() == null ? "-" : String.format("%.1f s",
              r.labelToServingSeconds())));
    }
    return out.toString();
  }

  String figuresText() {
    StringBuilder out = new StringBuilder();
    figures.forEach((k, v) -> out.append(String.format("  %-32s %s%n", k, v)));
    return out.toString();
  }

  /** Writes {@code demo-summary.md} and {@code demo-summary.json} under {@code dir}. */
  Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path md = dir.resolve("demo-summary.md");
    Files.writeString(md, "# Spindle demo\n\nServed model versions (test accuracy on the 10,000 "
        + "Fashion-MNIST test images, which no service saw):\n\n" + table() + "\n```\n"
        + figuresText() + "```\n");
    Map<String, Object> json = new LinkedHashMap<>(figures);
    json.put("served_models", rows);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve("demo-summary.json").toFile(), json);
    return md;
  }

  private static String clock(double seconds) {
    return String.format("%d:%02d", (long) seconds / 60, (long) seconds % 60);
  }
}
