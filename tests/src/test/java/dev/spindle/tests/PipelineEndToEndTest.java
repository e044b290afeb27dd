package dev.spindle.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestService;
import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.PngEncoder;
import dev.spindle.schemas.ClassNames;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.DeadLetter;
import dev.spindle.schemas.avro.Prediction;
import dev.spindle.schemas.config.Settings;
import dev.spindle.serving.ServingConfig;
import dev.spindle.serving.ServingService;
import dev.spindle.serving.holder.ServedModel;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import dev.spindle.trainer.TrainerConfig;
import dev.spindle.trainer.TrainerService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on the real broker and registry, the three services talking only through
 * topics and the model store: Fashion-MNIST images in over ingest's HTTP API, a model trained
 * and served, predictions on the topic carrying that model's version; then labels sent later
 * for images already in, and a new model that learned from them served (the label-to-serving
 * latency is printed: issue 5 reports it); then poison on every input topic, dead-lettered with
 * the reason while every service stays up and the loop goes on.
 */
@Tag("integration")
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(LocalStackExtension.class)
class PipelineEndToEndTest {
  private static final int UNLABELED = 300;
  private static final int LABELED_PER_CLASS = 5;
  private static final int LATE_LABELS = 50;
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private LocalStack stack;
  private IngestService ingest;
  private TrainerService trainer;
  private ServingService serving;
  private final List<String> unlabeledIds = new ArrayList<>();
  private final List<Integer> unlabeledClasses = new ArrayList<>();

  @BeforeAll
  void startTheServices(LocalStack stack, @TempDir Path dir) throws Exception {
    this.stack = stack;
    this.dir = dir;
    ingest = new IngestService(IngestConfig.from(settings(Map.of(
        "ingest.http.host", "127.0.0.1", "ingest.http.port", "0",
        "ingest.state.dir", dir.resolve("ingest").toString())))).start();
    trainer = new TrainerService(TrainerConfig.from(settings(Map.of(
        "trainer.http.port", "0",
        "trainer.checkpoint.dir", dir.resolve("checkpoints").toString(),
        "trainer.model.store", dir.resolve("models").toString(),
        // a short warm-up instead of 200 steps; everything else is the default recipe
        "trainer.transfer.min.steps", "40")))).start();
    serving = new ServingService(ServingConfig.from(settings(Map.of(
        "serving.http.port", "0",
        "serving.state.dir", dir.resolve("serving").toString(),
        "serving.application.id", "e2e-serving",
        // a tiny gating set says little: promote every model that loads, to see the swap
        "serving.gate.margin", "1.0")))).start();
  }

  private Settings settings(Map<String, String> extra) {
    return Settings.of(Map.of(
        "kafka.bootstrap.servers", stack.bootstrapServers(),
        "schema.registry.url", stack.registryUrl())).with(extra);
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable service : new AutoCloseable[] {serving, trainer, ingest}) {
      if (service != null) {
        service.close();
      }
    }
  }

  @Test
  @Order(1)
  void shouldTrainServeAndPredictWithTheServedModelsVersion() throws Exception {
    IdxFile images = IdxFile.read(Path.of(FashionMnist.TRAIN_IMAGES));
    IdxFile labels = IdxFile.read(Path.of(FashionMnist.TRAIN_LABELS));
    int[] labeled = new int[10];
    for (int i = 0; unlabeledIds.size() < UNLABELED || min(labeled) < LABELED_PER_CLASS; i++) {
      int cls = labels.label(i);
      boolean label = labeled[cls] < LABELED_PER_CLASS;
      if (!label && unlabeledIds.size() >= UNLABELED) {
        continue;
      }
      String id = upload(PngEncoder.fromIdx(images, i),
          label ? Optional.of(ClassNames.FASHION_MNIST.get(cls)) : Optional.empty());
      if (label) {
        labeled[cls]++;
      } else {
        unlabeledIds.add(id);
        unlabeledClasses.add(cls);
      }
    }

    await().atMost(Duration.ofMinutes(8)).until(() -> serving.holder().current().isPresent());
    long version = serving.holder().current().map(ServedModel::version).orElseThrow();

    List<Prediction> predictions = readPredictions(p -> p.getModelVersion() == version);
    assertThat(predictions).isNotEmpty();
    assertThat(predictions).allSatisfy(p -> {
      assertThat(p.getModelVersion()).isEqualTo(version);
      assertThat(ClassNames.FASHION_MNIST).contains(p.getLabel().toString());
    });
  }

  @Test
  @Order(2)
  void shouldServeANewModelThatLearnedFromLabelsSentLater() throws Exception {
    ServedModel before = serving.holder().current().orElseThrow();
    int labelsBefore = before.manifest().labelsUsed();
    long sent = 0;
    for (int i = 0; i < LATE_LABELS; i++) {
      sendLabel(unlabeledIds.get(i), ClassNames.FASHION_MNIST.get(unlabeledClasses.get(i)));
      sent = System.nanoTime();
    }

    await().atMost(Duration.ofMinutes(5)).until(() -> serving.holder().current()
        .filter(m -> m.version() > before.version())
        .filter(m -> m.manifest().labelsUsed() > labelsBefore).isPresent());
    double latency = (System.nanoTime() - sent) / 1e9;
    ServedModel after = serving.holder().current().orElseThrow();
    System.out.printf("label-to-serving latency: %.1f s (model v%d -> v%d, labels used %d -> %d)%n",
        latency, before.version(), after.version(), labelsBefore, after.manifest().labelsUsed());
    assertThat(after.manifest().labelsUsed()).isGreaterThan(labelsBefore);
    String metrics = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + serving.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("spindle_serving_stream_lag_records")
        .containsPattern("spindle_serving_swap_latency_seconds_count [1-9]");
  }

  @Test
  @Order(3)
  void shouldDeadLetterPoisonOnEveryInputTopicAndKeepEveryServiceAlive() throws Exception {
    Topics topics = Topics.create(Map.of("schema.registry.url", stack.registryUrl()));
    List<String> inputs = List.of(topics.imagesUnlabeled().name(), topics.imagesLabeled().name(),
        topics.labels().name(), topics.models().name());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      for (String topic : inputs) {
        producer.send(new ProducerRecord<>(topic, "poison-" + topic,
            "not avro at all".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
      }
    }

    java.util.Set<String> deadLettered = new java.util.HashSet<>();
    try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "e2e-dead-letters",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new org.apache.kafka.common.serialization.StringDeserializer(),
        topics.deadLetters().valueSerde().deserializer())) {
      consumer.subscribe(List.of(topics.deadLetters().name()));
      await().atMost(Duration.ofMinutes(2)).until(() -> {
        for (ConsumerRecord<String, DeadLetter> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.key() != null && r.key().startsWith("poison-")) {
            assertThat(r.value().getError().toString()).isNotBlank();
            deadLettered.add(r.value().getSourceTopic().toString());
          }
        }
        return deadLettered.containsAll(inputs);
      });
    }

    assertThat(serving.health()).containsEntry("status", "UP")
        .containsEntry("predictionStream", "RUNNING");
    assertThat(trainer.health()).containsEntry("status", "UP");
    HttpResponse<String> ingestHealth = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + ingest.httpPort() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ingestHealth.statusCode()).as(ingestHealth.body()).isEqualTo(200);
    // and the loop still works: a new image is predicted by the serving model
    IdxFile images = IdxFile.read(Path.of(FashionMnist.TEST_IMAGES));
    String id = upload(PngEncoder.fromIdx(images, 7), Optional.empty());
    assertThat(readPredictions(p -> p.getImageId().toString().equals(id), 1)).hasSize(1);
  }

  private String upload(byte[] png, Optional<String> label) throws Exception {
    String query = label.map(l -> "?label=" + java.net.URLEncoder.encode(l,
        java.nio.charset.StandardCharsets.UTF_8)).orElse("");
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + ingest.httpPort() + "/v1/images" + query))
        .header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return JSON.readTree(response.body()).get("id").asText();
  }

  private void sendLabel(String imageId, String label) throws Exception {
    String body = JSON.writeValueAsString(Map.of("imageId", imageId, "label", label,
        "annotator", "e2e-test"));
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + ingest.httpPort() + "/v1/labels"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  /** Predictions on the topic (read_committed), once some satisfy {@code wanted}. */
  private List<Prediction> readPredictions(java.util.function.Predicate<Prediction> wanted) {
    return readPredictions(wanted, 20);
  }

  private List<Prediction> readPredictions(java.util.function.Predicate<Prediction> wanted,
      int enough) {
    Topics topics = Topics.create(Map.of("schema.registry.url", stack.registryUrl()));
    List<Prediction> found = new ArrayList<>();
    try (KafkaConsumer<String, Prediction> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "e2e-predictions-" + java.util.UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        topics.predictions().keySerde().deserializer(),
        topics.predictions().valueSerde().deserializer())) {
      consumer.subscribe(List.of(topics.predictions().name()));
      await().atMost(Duration.ofMinutes(3)).until(() -> {
        for (ConsumerRecord<String, Prediction> r : consumer.poll(Duration.ofMillis(500))) {
          if (wanted.test(r.value())) {
            found.add(r.value());
          }
        }
        return found.size() >= enough;
      });
    }
    return found;
  }

  private static int min(int[] values) {
    return java.util.Arrays.stream(values).min().orElse(0);
  }
}
