package dev.spindle.ingest.http;

import dev.spindle.schemas.AvroBytes;
import static dev.spindle.ingest.IngestFixture.batchLine;
import static dev.spindle.ingest.IngestFixture.postBatch;
import static dev.spindle.ingest.IngestFixture.postImage;
import static dev.spindle.ingest.IngestFixture.send;
import static dev.spindle.ingest.IngestFixture.postJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.ingest.IngestFixture;
import dev.spindle.ingest.IngestService;
import dev.spindle.ingest.TestImages;
import dev.spindle.ingest.TopicReader;
import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.LabeledImage;
import dev.spindle.schemas.serde.AvroSerdeConfig;
import dev.spindle.schemas.serde.SchemaRegistryClient;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LocalStackExtension.class)
class IngestHttpIntegrationTest {
  private final ObjectMapper json = new ObjectMapper();
  private LocalStack stack;
  private IngestService service;
  private Topics topics;
  private int port;

  @BeforeAll
  void startIngest(LocalStack stack) {
    this.stack = stack;
    this.service = new IngestService(IngestFixture.config(stack, Map.of())).start();
    this.port = service.httpPort();
    this.topics = IngestFixture.topics(stack);
  }

  @AfterAll
  void stopIngest() {
    service.close();
  }

  @Test
  void shouldPublishEveryUploadedImageExactlyOnceAndAnswerWithItsId() throws Exception {
    List<byte[]> uploads = new ArrayList<>();
    for (int i = 100; i < 110; i++) {
      uploads.add(TestImages.png(i));
      uploads.add(TestImages.jpeg(i));
    }
    Set<String> expectedIds = uploads.stream().map(ImageIds::of).collect(Collectors.toSet());

    for (byte[] image : uploads) {
      HttpResponse<String> response = postImage(port, image, null, "source=camera-7");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      JsonNode body = json.readTree(response.body());
      assertThat(body.get("id").asText()).isEqualTo(ImageIds.of(image));
      assertThat(body.get("duplicate").asBoolean()).isFalse();
    }
    for (byte[] image : uploads) {
      JsonNode again = json.readTree(postImage(port, image, null, "").body());
      assertThat(again.get("duplicate").asBoolean()).isTrue();
    }

    List<ConsumerRecord<String, Image>> records = TopicReader.readAll(stack, topics.imagesUnlabeled())
        .stream().filter(r -> expectedIds.contains(r.key())).toList();
    assertThat(records).hasSize(uploads.size());
    assertThat(records).allSatisfy(r -> {
      assertThat(r.value().getId()).isEqualTo(r.key());
      assertThat(ImageIds.of(AvroBytes.toArray(r.value().getBytes()))).isEqualTo(r.key());
      assertThat(r.value().getSource()).isEqualTo("camera-7");
    });
  }

  @Test
  void shouldRecogniseAnImageAnotherIngestInstanceAlreadyPublished() throws Exception {
    byte[] image = TestImages.png(160);
    try (IngestService other = new IngestService(IngestFixture.config(stack, Map.of(
        "ingest.join.enabled", "false"))).start()) {
      assertThat(postImage(other.httpPort(), image, null, "").statusCode()).isEqualTo(202);
    }

    // cross-instance dedup is as fresh as this instance's follower of the image topics: wait
    // for it (posting meanwhile would publish the image again, which is the documented race)
    await().atMost(Duration.ofSeconds(30)).until(() -> service.knows(ImageIds.of(image)));
    assertThat(json.readTree(postImage(port, image, null, "").body())
        .get("duplicate").asBoolean()).isTrue();
    assertThat(TopicReader.readAll(stack, topics.imagesUnlabeled()).stream()
        .filter(r -> r.key().equals(ImageIds.of(image)))).hasSize(1);
  }

  @Test
  void shouldWriteRecordsAReaderDecodesWithTheSchemaFetchedByIdFromTheRegistry() {
    byte[] image = TestImages.png(120);
    postImage(port, image, "image/png", "");
    ConsumerRecord<String, byte[]> raw = TopicReader.readAll(stack,
            new dev.spindle.schemas.Topic<>(topics.imagesUnlabeled().name(),
                org.apache.kafka.common.serialization.Serdes.String(),
                org.apache.kafka.common.serialization.Serdes.ByteArray()))
        .stream().filter(r -> r.key().equals(ImageIds.of(image))).findFirst().orElseThrow();

    ByteBuffer header = ByteBuffer.wrap(raw.value());
    assertThat(header.get()).isEqualTo((byte) 0);
    Schema writer = new SchemaRegistryClient(AvroSerdeConfig.from(
        Map.of("schema.registry.url", stack.registryUrl()))).schemaById(header.getInt());
    assertThat(writer.getFullName()).isEqualTo(Image.getClassSchema().getFullName());
  }

  @Test
  void shouldSendAnImageUploadedWithALabelToImagesLabeled() {
    byte[] image = TestImages.png(130);

    HttpResponse<String> response = postImage(port, image, "image/png",
        "label=ankle-boot&annotator=alice");

    assertThat(response.statusCode()).isEqualTo(202);
    List<LabeledImage> labeled = TopicReader.readAll(stack, topics.imagesLabeled()).stream()
        .filter(r -> r.key().equals(ImageIds.of(image))).map(ConsumerRecord::value).toList();
    assertThat(labeled).hasSize(1);
    assertThat(labeled.get(0).getLabel()).isEqualTo("Ankle boot");
    assertThat(labeled.get(0).getAnnotator()).isEqualTo("alice");
  }

  @Test
  void shouldJoinALateLabelWithItsImage() {
    byte[] image = TestImages.png(140);
    String id = ImageIds.of(image);
    postImage(port, image, null, "");

    HttpResponse<String> response = postJson(port, "/v1/labels",
        "{\"imageId\":\"" + id + "\",\"label\":\"Bag\",\"annotator\":\"bob\"}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    assertThat(response.body()).contains("\"imageSeen\":true");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(TopicReader.readAll(stack, topics.imagesLabeled()).stream()
            .filter(r -> r.key().equals(id)).map(r -> r.value().getLabel()))
            .containsExactly("Bag"));
  }

  @Test
  void shouldHoldALabelThatArrivesBeforeItsImageAndEmitOnceTheImageComes() {
    byte[] image = TestImages.png(145);
    String id = ImageIds.of(image);
    HttpResponse<String> early = postJson(port, "/v1/labels",
        "{\"imageId\":\"" + id + "\",\"label\":\"Sneaker\"}");
    assertThat(early.statusCode()).isEqualTo(202);
    assertThat(early.body()).as("the label waits for its image").contains("\"imageSeen\":false");

    assertThat(postImage(port, image, null, "").statusCode()).isEqualTo(202);

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(TopicReader.readAll(stack, topics.imagesLabeled()).stream()
            .filter(r -> r.key().equals(id)).map(r -> r.value().getLabel()))
            .containsExactly("Sneaker"));
  }

  @Test
  void shouldRejectEveryKindOfBadInputWithA4xxAndPublishNothing() throws Exception {
    Map<String, Long> before = endOffsets();
    byte[] png = TestImages.png(150);
    List<HttpResponse<String>> responses = List.of(
        postImage(port, new byte[0], "image/png", ""),
        postImage(port, TestImages.truncated(png, 0.5), "image/png", ""),
        postImage(port, TestImages.truncated(TestImages.jpeg(150), 0.5), "image/jpeg", ""),
        postImage(port, "not an image".getBytes(), "text/plain", ""),
        postImage(port, png, "image/jpeg", ""),
        postImage(port, TestImages.pngClaiming(50_000, 50_000), "image/png", ""),
        postImage(port, new byte[10 * 1024 * 1024 + 1], "image/png", ""),
        postImage(port, png, "image/png", "label=giraffe"),
        postJson(port, "/v1/labels", "{\"imageId\":\"" + ImageIds.of(png) + "\",\"label\":\"giraffe\"}"),
        postJson(port, "/v1/labels", "{\"imageId\":\"abc\",\"label\":\"Bag\"}"),
        postJson(port, "/v1/labels", "not json"));

    assertThat(responses).allSatisfy(r -> {
      assertThat(r.statusCode()).as(r.body()).isBetween(400, 499);
      JsonNode body = json.readTree(r.body());
      assertThat(body.get("error").asText()).isNotBlank();
      assertThat(body.get("message").asText()).isNotBlank();
    });
    assertThat(responses.stream().map(r -> r.statusCode()).toList())
        .containsExactly(400, 400, 400, 415, 415, 413, 413, 400, 400, 400, 400);
    assertThat(endOffsets()).isEqualTo(before);
  }

  @Test
  void shouldPublishEveryImageOfABatchOnceAndAnswerPerImage() throws Exception {
    List<byte[]> images = new ArrayList<>();
    for (int i = 700; i < 710; i++) {
      images.add(i % 2 == 0 ? TestImages.png(i) : TestImages.jpeg(i));
    }
    List<String> lines = new ArrayList<>();
    images.forEach(image -> lines.add(batchLine(image, null)));
    lines.add(batchLine(images.get(0), null));
    byte[] labeled = TestImages.png(710);
    lines.add(batchLine(labeled, "Bag"));

    HttpResponse<String> response = postBatch(port, lines);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("accepted").asInt()).isEqualTo(12);
    assertThat(body.get("duplicates").asInt()).isEqualTo(1);
    JsonNode results = body.get("results");
    for (int i = 0; i < images.size(); i++) {
      assertThat(results.get(i).get("index").asInt()).isEqualTo(i);
      assertThat(results.get(i).get("status").asInt()).isEqualTo(202);
      assertThat(results.get(i).get("id").asText()).isEqualTo(ImageIds.of(images.get(i)));
    }
    assertThat(results.get(10).get("duplicate").asBoolean()).isTrue();
    assertThat(results.get(11).get("labeled").asBoolean()).isTrue();
    Set<String> ids = images.stream().map(ImageIds::of).collect(Collectors.toSet());
    assertThat(TopicReader.readAll(stack, topics.imagesUnlabeled()).stream()
        .map(ConsumerRecord::key).filter(ids::contains).toList())
        .hasSize(images.size()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(TopicReader.readAll(stack, topics.imagesLabeled()).stream()
        .filter(r -> r.key().equals(ImageIds.of(labeled))).map(r -> r.value().getLabel()))
        .containsExactly("Bag");
  }

  @Test
  void shouldRefuseOnlyTheBadImagesOfABatchAndPublishTheRest() throws Exception {
    Map<String, Long> before = endOffsets();
    byte[] good = TestImages.png(720);
    List<String> lines = List.of(
        batchLine(TestImages.truncated(TestImages.png(721), 0.5), null),
        batchLine(good, null),
        batchLine(TestImages.png(722), "giraffe"),
        batchLine(TestImages.pngClaiming(50_000, 50_000), null),
        "{\"image\": 42}",
        "not json");

    HttpResponse<String> response = postBatch(port, lines);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(207);
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("accepted").asInt()).isEqualTo(1);
    assertThat(body.get("refused").asInt()).isEqualTo(5);
    List<Integer> statuses = new ArrayList<>();
    body.get("results").forEach(result -> {
      statuses.add(result.get("status").asInt());
      if (result.get("status").asInt() != 202) {
        assertThat(result.get("error").asText()).isNotBlank();
        assertThat(result.get("message").asText()).isNotBlank();
      }
    });
    assertThat(statuses).containsExactly(400, 202, 400, 413, 400, 400);
    assertThat(body.get("results").get(0).get("error").asText()).isEqualTo("truncated");
    assertThat(endOffsets().get("unlabeled")).isEqualTo(before.get("unlabeled") + 1);
    assertThat(endOffsets().get("labeled")).isEqualTo(before.get("labeled"));
  }

  @Test
  void shouldRefuseAWholeBatchThatIsNotNdjsonImages() {
    Map<String, Long> before = endOffsets();

    HttpResponse<String> empty = postBatch(port, List.of("", " "));
    HttpResponse<String> png = send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + "/v1/images/batch"))
        .header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofByteArray(TestImages.png(730))).build());

    assertThat(empty.statusCode()).as(empty.body()).isEqualTo(400);
    assertThat(empty.body()).contains("empty_body");
    assertThat(png.statusCode()).as(png.body()).isEqualTo(415);
    assertThat(png.body()).contains("newline-delimited JSON");
    assertThat(endOffsets()).isEqualTo(before);
  }

  @Test
  void shouldRefuseAnOversizedBodySentWithoutContentLength() {
    Map<String, Long> before = endOffsets();
    byte[] png = TestImages.png(740);
    byte[] oversized = java.util.Arrays.copyOf(png, 10 * 1024 * 1024 + 1);

    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + port + "/v1/images"))
        .header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofInputStream(
            () -> new java.io.ByteArrayInputStream(oversized))).build());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
    assertThat(response.body()).contains("too_large");
    assertThat(endOffsets()).isEqualTo(before);
  }

  @Test
  void shouldReportHealthAndPrometheusMetrics() {
    postImage(port, new byte[0], "image/png", "");

    HttpResponse<String> health = IngestFixture.get(port, "/healthz");
    HttpResponse<String> metrics = IngestFixture.get(port, "/metrics");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"kafka\":\"UP\"").contains("\"registry\":\"UP\"");
    assertThat(metrics.body()).contains("spindle_ingest_rejected_total{reason=\"empty_body\"}")
        .contains("spindle_ingest_publish_latency_seconds_bucket");
  }

  private Map<String, Long> endOffsets() {
    return Map.of(
        "unlabeled", TopicReader.endOffsetSum(stack, topics.imagesUnlabeled().name()),
        "labeled", TopicReader.endOffsetSum(stack, topics.imagesLabeled().name()),
        "labels", TopicReader.endOffsetSum(stack, topics.labels().name()));
  }

}
