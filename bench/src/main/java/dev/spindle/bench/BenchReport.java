package dev.spindle.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a benchmark's results as {@code NAME.json} and {@code NAME.md} under a directory. */
public final class BenchReport {
  private BenchReport() {
  }

  public static void write(Path dir, String name, Map<String, Object> results, String markdown)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", name);
    json.put("date", Instant.now().toString());
    json.put("cpus", Runtime.getRuntime().availableProcessors());
    json.put("java", System.getProperty("java.version"));
    json.putAll(results);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve(name + ".json").toFile(), json);
    Files.writeString(dir.resolve(name + ".md"), markdown);
  }
}
