package dev.spindle.launcher;

import dev.spindle.schemas.TopicScan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.PngEncoder;
import dev.spindle.schemas.ClassNames;
import dev.spindle.schemas.config.Settings;
import dev.spindle.serving.ServingConfig;
import dev.spindle.serving.ServingService;
import dev.spindle.stack.LocalStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The demo's serving-service: it promotes the trainer's model when it appears, its stream
 * predicts every waiting unlabeled image and asks for labels, and test images are sent to
 * {@code POST /v1/predict} as a client would.
 */
final class DemoServing implements AutoCloseable {
  private final LocalStack stack;
  private final ServingService serving;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  DemoServing(LocalStack stack, Path workDir) {
    this.stack = stack;
    this.serving = new ServingService(ServingConfig.from(Settings.of(Map.of(
        "kafka.bootstrap.servers", stack.bootstrapServers(),
        "schema.registry.url", stack.registryUrl(),
        "serving.http.host", "127.0.0.1",
        "serving.http.port", "0",
        "serving.state.dir", workDir.resolve("serving-state").toString(),
        "serving.label.requests.window.seconds", "10")))).start();
    Console.step("serving-service on http://127.0.0.1:" + serving.httpPort()
        + " (no model yet: /v1/predict answers 503 until the trainer publishes one); "
        + "dashboard: http://127.0.0.1:" + serving.httpPort() + "/dashboard");
  }

  /** Waits for the stream to predict {@code expected} images, then queries HTTP. */
  Map<String, Object> predictions(long expected, int httpQueries, Duration timeout)
      throws Exception {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long done = 0;
    long lastShown = 0;
    while (done < expected && System.nanoTime() < deadline) {
      done = serving.imagesAnswered();
      if (System.nanoTime() - lastShown > 5_000_000_000L) {
        Console.step(String.format("prediction stream: %d of %d unlabeled images predicted",
            Math.min(done, expected), expected));
        lastShown = System.nanoTime();
      }
      Thread.sleep(500);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("serving_model_version", serving.holder().current().map(m -> m.version()).orElse(0L));
    out.put("stream_predictions", Math.min(done, expected));
    out.put("stream_predictions_per_s", Math.round(Math.min(done, expected) / seconds));
    out.putAll(httpAccuracy(httpQueries));
    Thread.sleep(11_000); // one label-request window
    out.put("label_requests", records("label-requests"));
    Console.step(String.format("stream predicted %s images (%s/s); HTTP: %s correct of %d test "
            + "images; %s label requests so far", out.get("stream_predictions"),
        out.get("stream_predictions_per_s"), out.get("http_correct"), httpQueries,
        out.get("label_requests")));
    return out;
  }

  private Map<String, Object> httpAccuracy(int n) throws Exception {
    IdxFile images = IdxFile.read(Path.of(FashionMnist.TEST_IMAGES));
    IdxFile labels = IdxFile.read(Path.of(FashionMnist.TEST_LABELS));
    URI predict = URI.create("http://127.0.0.1:" + serving.httpPort() + "/v1/predict");
    int correct = 0;
    long totalNanos = 0;
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(predict)
          .POST(HttpRequest.BodyPublishers.ofByteArray(PngEncoder.fromIdx(images, i))).build(),
          HttpResponse.BodyHandlers.ofString());
      totalNanos += System.nanoTime() - t0;
      JsonNode answer = json.readTree(response.body());
      if (response.statusCode() == 200
          && answer.get("label").asText().equals(ClassNames.FASHION_MNIST.get(labels.label(i)))) {
        correct++;
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("http_correct", correct + "/" + n);
    out.put("http_mean_latency_ms", Math.round(totalNanos / (n * 1e4)) / 100.0);
    return out;
  }

  /** Committed records on {@code topic} (read_committed, so transaction markers do not count). */
  private long records(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      long[] count = {0};
      TopicScan.readToEnd(consumer, List.of(topic), record -> count[0]++);
      return count[0];
    }
  }

  @Override
  public void close() throws InterruptedException {
    serving.close();
  }
}
