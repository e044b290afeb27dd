package dev.spindle.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.model.InputShape;
import dev.spindle.model.artifact.LoadedModel;
import dev.spindle.model.artifact.ModelStore;
import dev.spindle.schemas.ClassNames;
import dev.spindle.schemas.TopicNames;
import dev.spindle.schemas.TopicProvisioner;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.schemas.config.Settings;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import dev.spindle.stack.StackConfig;
import dev.spindle.trainer.checkpoint.Checkpointer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** trainer-service on the real broker and registry, with real Fashion-MNIST images. */
@Tag("integration")
@Timeout(600)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LocalStackExtension.class)
class TrainerIntegrationTest {
  private LocalStack stack;
  private Topics topics;

  @BeforeAll
  void publishImages(LocalStack stack) throws Exception {
    this.stack = stack;
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      TopicProvisioner.ensureTopics(admin, 3, (short) 1);
    }
    topics = Topics.create(Map.of("schema.registry.url", stack.registryUrl()));
    ImagePublisher.publish(stack, topics, FashionMnistSample.train(0, 400),
        firstPerClass(FashionMnistSample.train(1000, 200), 6));
  }

  @Test
  void shouldLearnRotationWellAboveChanceAndPublishAModelWhoseArtifactLoads(@TempDir Path dir)
      throws Exception {
    TrainerConfig config = config(dir, "learns", Map.of());
    try (TrainerService trainer = new TrainerService(config).start()) {
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
          .until(() -> trainer.loop().pretextAccuracy() > 0.6);
      ModelVersion event = awaitModelEvent("learns", 1);

      LoadedModel model = ModelStore.load(URI.create(event.getArtifactUri()), event.getSha256());
      assertThat(model.manifest().classNames()).isEqualTo(ClassNames.FASHION_MNIST);
      assertThat(model.inputShape()).isEqualTo(InputShape.FASHION_MNIST);
      assertThat(model.manifest().labelsUsed()).isGreaterThanOrEqualTo(60);
      assertThat(event.getLabelsUsed()).isEqualTo(model.manifest().labelsUsed());
      assertThat(event.getBackboneVersion()).isPositive();
      assertThat(event.getMetrics()).containsKey("accuracy");
      assertThat(trainer.health()).containsEntry("status", "UP");
    }
  }

  @Test
  void shouldResumeFromItsCheckpointAfterAKillAndTrainOnEveryRecord(@TempDir Path dir)
      throws Exception {
    TrainerConfig config = config(dir, "resumes", Map.of(
        "trainer.checkpoint.every.steps", "5", "trainer.transfer.every.labels", "5"));
    TrainerService first = new TrainerService(config).start();
    await().atMost(Duration.ofMinutes(4)).until(() -> first.lastModelVersion() >= 1
        && first.loop().backboneVersion() >= 3);
    long modelBefore = first.lastModelVersion();
    first.halt(); // no final checkpoint, like kill -9
    var checkpoint = new Checkpointer(config.checkpointDir()).restore().orElseThrow().state();

    try (TrainerService second = new TrainerService(config).start()) {
      assertThat(second.loop().backboneVersion()).isEqualTo(checkpoint.backboneVersion());
      assertThat(second.loop().steps()).isGreaterThanOrEqualTo(checkpoint.steps());
      await().atMost(Duration.ofMinutes(4))
          .until(() -> second.loop().backboneVersion() > checkpoint.backboneVersion());
      // every record was in a training step: the committed offsets reached the end of both topics
      await().atMost(Duration.ofMinutes(2)).until(() -> committedEqualsEnd(config.groupId()));
      // versions stay monotonic across the kill: new labels arrive, a new model follows
      ImagePublisher.publish(stack, topics, List.of(),
          firstPerClass(FashionMnistSample.train(2000, 100), 1));
      await().atMost(Duration.ofMinutes(4)).until(() -> second.lastModelVersion() > modelBefore);
    }
  }

  @Test
  void shouldPausePretrainingWhileATransferRunsAndResumeAfterIt(@TempDir Path dir)
      throws Exception {
    TrainerConfig config = config(dir, "exclusive", Map.of());
    try (TrainerService trainer = new TrainerService(config).start()) {
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(20))
          .until(() -> trainer.loop().paused());
      long stepsAtPause = trainer.loop().steps();
      List<Long> stepsWhilePaused = new ArrayList<>();
      await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(20)).until(() -> {
        if (trainer.loop().paused()) {
          stepsWhilePaused.add(trainer.loop().steps());
        }
        return trainer.lastModelVersion() >= 1;
      });
      assertThat(stepsWhilePaused).isNotEmpty().containsOnly(stepsAtPause);
      await().atMost(Duration.ofMinutes(1))
          .until(() -> trainer.loop().steps() > stepsAtPause && !trainer.loop().paused());
    }
  }

  @Test
  void shouldSayItWaitsForTheImageTopicsAndWriteNoCheckpointBeforeLearningAnything(
      @TempDir Path dir) throws Exception {
    TrainerConfig config;
    try (LocalStack bare = LocalStack.start(StackConfig.ephemeral(dir.resolve("stack")));
        TrainerService trainer = new TrainerService(
            config = config(bare, dir, "early", Map.of())).start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_FOR_TOPIC".equals(
          trainer.health().get("imageTopics")));
      assertThat(trainer.health()).containsEntry("status", "UP");
      try (Admin admin = Admin.create(Map.of(
          AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bare.bootstrapServers()))) {
        TopicProvisioner.ensureTopics(admin, 3, (short) 1);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> "FOLLOWING".equals(
          trainer.health().get("imageTopics")));
    }
    // stopped with the topics empty: no steps, so no backbone version to name
    assertThat(new Checkpointer(config.checkpointDir()).restore()).isEmpty();
  }

  @Test
  void shouldSayWhenCheckpointsFailAndRecoverOnceTheyCanBeWrittenAgain(@TempDir Path dir)
      throws Exception {
    TrainerConfig config = config(dir, "disk", Map.of("trainer.checkpoint.every.steps", "5"));
    Path checkpoints = config.checkpointDir();
    Path aside = dir.resolve("checkpoints-aside");
    try (TrainerService trainer = new TrainerService(config).start()) {
      await().atMost(Duration.ofMinutes(2)).until(() -> trainer.loop().backboneVersion() >= 1);
      assertThat(trainer.health()).containsEntry("checkpoints", "OK")
          .containsKey("lastCheckpoint");

      Files.move(checkpoints, aside); // the directory gone, a file in its place: writes fail
      Files.writeString(checkpoints, "not a directory");
      await().atMost(Duration.ofMinutes(2))
          .until(() -> "FAILING".equals(trainer.health().get("checkpoints")));
      assertThat(trainer.health()).containsEntry("status", "UP").containsKey("checkpointError");
      assertThat(scrape(trainer)).contains("spindle_trainer_checkpoints_total{outcome=\"failed\"}");
      long versionWhileFailing = trainer.loop().backboneVersion();

      Files.delete(checkpoints);
      Files.move(aside, checkpoints);
      await().atMost(Duration.ofMinutes(2)).until(() -> "OK".equals(
          trainer.health().get("checkpoints"))
          && trainer.loop().backboneVersion() > versionWhileFailing);
      assertThat(trainer.health()).doesNotContainKey("checkpointError");
    }
  }

  private static String scrape(TrainerService trainer) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + trainer.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private TrainerConfig config(Path dir, String name, Map<String, String> extra) {
    return config(stack, dir, name, extra);
  }

  private static TrainerConfig config(LocalStack stack, Path dir, String name,
      Map<String, String> extra) {
    Map<String, String> values = new HashMap<>(Map.of(
        "kafka.bootstrap.servers", stack.bootstrapServers(),
        "schema.registry.url", stack.registryUrl(),
        "trainer.model.name", name,
        "trainer.group.id", "trainer-" + name,
        "trainer.checkpoint.dir", dir.resolve("checkpoints").toString(),
        "trainer.model.store", dir.resolve("models").toString(),
        "trainer.http.port", "0"));
    values.putAll(Map.of(
        "trainer.holdout.percent", "15",
        "trainer.eval.every.steps", "10",
        "trainer.checkpoint.every.steps", "20",
        "trainer.transfer.every.labels", "50",
        "trainer.stage1.epochs", "5",
        "trainer.stage2.epochs", "3",
        "trainer.stage2.patience", "2",
        "trainer.transfer.min.steps", "10"));
    values.putAll(extra);
    return TrainerConfig.from(Settings.of(values));
  }

  private ModelVersion awaitModelEvent(String modelName, long version) {
    List<ModelVersion> seen = new ArrayList<>();
    try (KafkaConsumer<String, ModelVersion> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        topics.models().keySerde().deserializer(), topics.models().valueSerde().deserializer())) {
      var partitions = consumer.partitionsFor(TopicNames.MODELS).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await().atMost(Duration.ofMinutes(4)).until(() -> {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
        return seen.stream().anyMatch(
            e -> e.getModelName().equals(modelName) && e.getVersion() >= version);
      });
    }
    return seen.stream().filter(e -> e.getModelName().equals(modelName)).findFirst().orElseThrow();
  }

  private boolean committedEqualsEnd(String groupId) throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (String topic : List.of(TopicNames.IMAGES_UNLABELED, TopicNames.IMAGES_LABELED)) {
        for (int p = 0; p < 3; p++) {
          latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
      }
      var end = admin.listOffsets(latest).all().get();
      return end.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
          || (committed.get(e.getKey()) != null
              && committed.get(e.getKey()).offset() == e.getValue().offset()));
    }
  }

  private static List<FashionMnistSample.Item> firstPerClass(
      List<FashionMnistSample.Item> items, int k) {
    int[] taken = new int[10];
    List<FashionMnistSample.Item> out = new ArrayList<>();
    for (FashionMnistSample.Item item : items) {
      if (taken[item.label()]++ < k) {
        out.add(item);
      }
    }
    return out;
  }
}
