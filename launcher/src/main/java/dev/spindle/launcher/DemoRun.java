package dev.spindle.launcher;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.loader.BulkLoader;
import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.LoadItem;
import dev.spindle.ingest.loader.LoadSummary;
import dev.spindle.ingest.loader.PngEncoder;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.Topics;
import dev.spindle.stack.LocalStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The demo's steps, each returning the figures it adds to the summary. */
final class DemoRun {
  private final LocalStack stack;
  private final IngestConfig config;
  private final Topics topics;
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI base;

  DemoRun(LocalStack stack, IngestConfig config, int port) {
    this.stack = stack;
    this.config = config;
    this.topics = Topics.create(config.clients().serde());
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /** Streams images in through the bulk loader (the same pipeline as HTTP uploads). */
  Map<String, Object> streamImages(List<LoadItem> items) throws InterruptedException {
    Console.step("streaming " + items.size() + " Fashion-MNIST images in (PNG, as uploads)");
    LoadSummary summary;
    try (RecordSender sender = RecordSender.create(config.clients(), config.publishTimeout());
        IngestPipeline pipeline = IngestPipeline.create(config, topics, sender)) {
      summary = new BulkLoader(pipeline, 20_000, System.out).load(items);
    }
    Console.step(summary.describe());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("images_ingested", summary.accepted());
    out.put("labeled_on_upload", summary.labeled());
    out.put("ingest_images_per_s", Math.round(summary.imagesPerSecond()));
    return out;
  }

  /** An annotator labels images that came in unlabeled; the join pairs each with its image. */
  Map<String, Object> sendLateLabels(IdxFile images, IdxFile labels, int skipPerClass,
      int perClass, Duration timeout) throws Exception {
    int[] seen = new int[10];
    Set<String> labeledIds = new HashSet<>();
    long started = System.nanoTime();
    for (int i = 0; i < images.count() && labeledIds.size() < perClass * 10; i++) {
      int cls = labels.label(i);
      if (seen[cls]++ < skipPerClass || seen[cls] > skipPerClass + perClass) {
        continue;
      }
      String id = ImageIds.of(PngEncoder.fromIdx(images, i));
      String body = String.format("{\"imageId\":\"%s\",\"label\":\"%s\",\"annotator\":\"demo-annotator\"}",
          id, config.classNames().get(cls));
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/v1/labels"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 202) {
        throw new IllegalStateException("label refused: " + response.body());
      }
      labeledIds.add(id);
    }
    Console.step("annotator sent " + labeledIds.size() + " late labels; waiting for the join");
    long joined = awaitJoined(labeledIds, timeout);
    double seconds = (System.nanoTime() - started) / 1e9;
    Console.step(joined + " of " + labeledIds.size() + " late labels joined onto their images in "
        + String.format("%.1f s", seconds));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("late_labels_sent", labeledIds.size());
    out.put("late_labels_joined", joined);
    out.put("late_label_join_s", Math.round(seconds * 10) / 10.0);
    return out;
  }

  /** Uploads a few bad files and a repeat, to show what clients get back. */
  Map<String, Object> checkDedupAndValidation() throws Exception {
    byte[] repeat = PngEncoder.fromIdx(IdxFile.read(java.nio.file.Path.of(FashionMnist.TRAIN_IMAGES)), 0);
    HttpResponse<String> duplicate = post(repeat, "image/png");
    HttpResponse<String> truncated = post(java.util.Arrays.copyOf(repeat, repeat.length / 2), "image/png");
    HttpResponse<String> notAnImage = post("hello".getBytes(), "text/plain");
    Console.step("re-upload of a known image -> " + duplicate.statusCode() + " " + duplicate.body());
    Console.step("truncated PNG -> " + truncated.statusCode() + " " + truncated.body());
    Console.step("text file -> " + notAnImage.statusCode() + " " + notAnImage.body());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("reupload_status", duplicate.statusCode() + " duplicate=" + duplicate.body().contains("\"duplicate\":true"));
    out.put("truncated_png_status", truncated.statusCode());
    out.put("text_file_status", notAnImage.statusCode());
    return out;
  }

  private HttpResponse<String> post(byte[] body, String type) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve("/v1/images")).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private long awaitJoined(Set<String> ids, Duration timeout) throws InterruptedException {
    Set<String> joined = new HashSet<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.GROUP_ID_CONFIG, "spindle-demo-" + System.nanoTime()),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topics.imagesLabeled().name()));
      while (joined.size() < ids.size() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> {
          if (ids.contains(r.key())) {
            joined.add(r.key());
          }
        });
      }
    }
    return joined.size();
  }
}
