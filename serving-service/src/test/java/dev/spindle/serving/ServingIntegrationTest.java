package dev.spindle.serving;

import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.TopicScan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.schemas.TopicProvisioner;
import dev.spindle.schemas.Topic;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.Prediction;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.schemas.config.Settings;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import dev.spindle.stack.StackConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** serving-service on the real broker and registry, fed by real models events. */
@Tag("integration")
@Timeout(300)
@ExtendWith(LocalStackExtension.class)
class ServingIntegrationTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void shouldServeNothingBeforeAModelThenServeAndRefuseACorruptOne(
      LocalStack stack, @TempDir Path dir) throws Exception {
    Topics topics = provisioned(stack);
    ServingConfig config = config(stack, dir, "http");
    TwoClassModels models = new TwoClassModels(dir);
    byte[] light = TwoClassModels.png(1, new Random(9));

    try (ServingService serving = new ServingService(config).start();
        KafkaProducer<String, ModelVersion> producer = producer(stack, topics.models())) {
      String base = "http://127.0.0.1:" + serving.httpPort();
      // no model yet: no invented predictions, and health says so
      assertThat(post(base + "/v1/predict", light, null).statusCode()).isEqualTo(503);
      assertThat(get(base + "/healthz").statusCode()).isEqualTo(503);

      producer.send(new ProducerRecord<>("models", "two-class", models.good(1))).get();
      await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/healthz").statusCode() == 200);
      HttpResponse<String> answer = post(base + "/v1/predict", light, null);
      assertThat(answer.statusCode()).isEqualTo(200);
      JsonNode prediction = json.readTree(answer.body());
      assertThat(prediction.get("label").asText()).isEqualTo("light");
      assertThat(prediction.get("modelVersion").asLong()).isEqualTo(1);
      assertThat(prediction.get("topK")).hasSize(2);
      assertThat(answer.headers().firstValue("Server-Timing")).hasValueSatisfying(
          timing -> assertThat(timing).matches("predict;dur=\\d+\\.\\d{3}"));
      assertThat(post(base + "/v1/predict", "not an image".getBytes(), null).statusCode())
          .isEqualTo(400);

      ModelVersion corrupt = models.good(2);
      TwoClassModels.corrupt(corrupt);
      producer.send(new ProducerRecord<>("models", "two-class", corrupt)).get();
      await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/v1/models").body()
          .contains("REJECTED"));
      assertThat(json.readTree(get(base + "/v1/models").body()).get("serving").asLong())
          .isEqualTo(1);

      producer.send(new ProducerRecord<>("models", "two-class", models.good(3))).get();
      await().atMost(Duration.ofSeconds(60)).until(() -> json.readTree(
          get(base + "/v1/models").body()).get("serving").asLong() == 3);
      assertThat(post(base + "/v1/models/1/pin", new byte[0], null).statusCode()).isEqualTo(401);
      assertThat(post(base + "/v1/models/1/pin", new byte[0], "s3cret").statusCode())
          .isEqualTo(200);
      assertThat(json.readTree(post(base + "/v1/predict", light, null).body())
          .get("modelVersion").asLong()).isEqualTo(1);
      assertThat(post(base + "/v1/models/2/pin", new byte[0], "s3cret").statusCode())
          .isEqualTo(404);
    }
  }

  @Test
  void shouldPredictEveryStreamedImageExactlyOnceAcrossARestart(
      LocalStack stack, @TempDir Path dir) throws Exception {
    Topics topics = provisioned(stack);
    ServingConfig config = config(stack, dir, "stream");
    TwoClassModels models = new TwoClassModels(dir.resolve("store"), "two-class-stream");
    try (KafkaProducer<String, ModelVersion> producer = producer(stack, topics.models())) {
      producer.send(new ProducerRecord<>("models", "two-class-stream", models.good(1))).get();
    }
    List<String> ids = new ArrayList<>();
    try (ServingService serving = new ServingService(config).start()) {
      ids.addAll(publishImages(stack, topics, 0, 100));
      await().atMost(Duration.ofSeconds(90)).until(() -> predictedIds(stack, topics, ids).size()
          == ids.size());
    }
    try (ServingService restarted = new ServingService(config).start()) {
      ids.addAll(publishImages(stack, topics, 100, 50));
      await().atMost(Duration.ofSeconds(90)).until(() -> predictedIds(stack, topics, ids).size()
          == ids.size());
    }
    List<String> predicted = predictedIds(stack, topics, ids);
    assertThat(predicted).hasSize(150).doesNotHaveDuplicates();
  }

  @Test
  void shouldStartPredictingOnceIngestHasCreatedTheTopicsWhenStartedBeforeThem(@TempDir Path dir)
      throws Exception {
    try (LocalStack bare = LocalStack.start(StackConfig.ephemeral(dir.resolve("stack")));
        ServingService serving = new ServingService(config(bare, dir, "early")).start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_FOR_TOPIC".equals(
          serving.health().get("predictionStream")));
      Topics topics = provisioned(bare);
      TwoClassModels models = new TwoClassModels(dir.resolve("store"), "two-class-early");
      try (KafkaProducer<String, ModelVersion> producer = producer(bare, topics.models())) {
        producer.send(new ProducerRecord<>("models", "two-class-early", models.good(1))).get();
      }
      List<String> ids = publishImages(bare, topics, 0, 20);
      await().atMost(Duration.ofSeconds(90)).until(() -> predictedIds(bare, topics, ids).size()
          == ids.size());
      assertThat(serving.health().get("predictionStream")).isEqualTo("RUNNING");
    }
  }

  @Test
  void shouldJudgeOnlyTheNewestVersionsPublishedBeforeItStartedThenFollowNewOnes(
      LocalStack stack, @TempDir Path dir) throws Exception {
    Topics topics = provisioned(stack);
    ServingConfig config = config(stack, dir, "backlog");
    TwoClassModels models = new TwoClassModels(dir.resolve("store"), "two-class-backlog");
    TwoClassModels others = new TwoClassModels(dir.resolve("others"), "another-model");
    try (KafkaProducer<String, ModelVersion> producer = producer(stack, topics.models())) {
      for (long v = 1; v <= 12; v++) {
        producer.send(new ProducerRecord<>("models", "two-class-backlog", models.good(v)));
      }
      producer.send(new ProducerRecord<>("models", "another-model", others.good(40)));
      producer.flush(); // all on the topic before serving starts
      try (ServingService serving = new ServingService(config).start()) {
        String base = "http://127.0.0.1:" + serving.httpPort();
        await().atMost(Duration.ofSeconds(60)).until(() -> serving.holder().current()
            .map(m -> m.version()).orElse(0L) == 12);
        JsonNode listed = json.readTree(get(base + "/v1/models").body());
        List<Long> judged = new ArrayList<>();
        listed.get("history").forEach(record -> judged.add(record.get("version").asLong()));
        assertThat(judged).containsExactly(8L, 9L, 10L, 11L, 12L);

        producer.send(new ProducerRecord<>("models", "two-class-backlog", models.good(13))).get();
        await().atMost(Duration.ofSeconds(60)).until(() -> serving.holder().current()
            .map(m -> m.version()).orElse(0L) == 13);
      }
    }
  }

  private static ServingConfig config(LocalStack stack, Path dir, String name) {
    return ServingConfig.from(Settings.of(Map.of(
        "kafka.bootstrap.servers", stack.bootstrapServers(),
        "schema.registry.url", stack.registryUrl(),
        "serving.model.name", "http".equals(name) ? "two-class" : "two-class-" + name,
        "serving.http.host", "127.0.0.1",
        "serving.http.port", "0",
        "serving.admin.tokens", "s3cret",
        "serving.application.id", "serving-" + name,
        "serving.state.dir", dir.resolve("state").toString())));
  }

  /** The contract's topics, created on the stack where missing. */
  private static Topics provisioned(LocalStack stack) {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      TopicProvisioner.ensureTopics(admin, 3, (short) 1);
    }
    return Topics.create(Map.of("schema.registry.url", stack.registryUrl()));
  }

  private static <V> KafkaProducer<String, V> producer(LocalStack stack, Topic<String, V> topic) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        stack.bootstrapServers()), topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  private static List<String> publishImages(LocalStack stack, Topics topics, int from, int count)
      throws Exception {
    List<String> ids = new ArrayList<>();
    try (KafkaProducer<String, Image> producer = producer(stack, topics.imagesUnlabeled())) {
      for (int i = from; i < from + count; i++) {
        byte[] png = TwoClassModels.png(i % 2, new Random(1000 + i));
        String id = ImageIds.of(png);
        producer.send(new ProducerRecord<>(topics.imagesUnlabeled().name(), id, Image.newBuilder()
            .setId(id).setBytes(ByteBuffer.wrap(png)).setMediaType("image/png").setWidth(28)
            .setHeight(28).setSource("test").setIngestedAt(Instant.now()).build()));
        ids.add(id);
      }
    }
    return ids;
  }

  /** Image ids among {@code ours} on the predictions topic (committed records only), with repeats. */
  private static List<String> predictedIds(LocalStack stack, Topics topics, List<String> ours) {
    Set<String> wanted = Set.copyOf(ours);
    List<String> found = new ArrayList<>();
    try (KafkaConsumer<String, Prediction> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        topics.predictions().keySerde().deserializer(),
        topics.predictions().valueSerde().deserializer())) {
      TopicScan.readToEnd(consumer, List.of(topics.predictions().name()), r -> {
        if (wanted.contains(r.key())) {
          found.add(r.key());
        }
      });
    }
    return found;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, byte[] body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

}
