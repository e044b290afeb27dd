package dev.spindle.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.loader.BulkLoader;
import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxSource;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.schemas.ClassNames;
import dev.spindle.schemas.TopicProvisioner;
import dev.spindle.schemas.TopicScan;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.schemas.config.Settings;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import dev.spindle.trainer.checkpoint.CheckpointState;
import dev.spindle.trainer.checkpoint.Checkpointer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer as it runs in production, its own process, killed with {@code kill -9}
 * mid-training and started again: it resumes from its checkpoint, its model versions stay
 * monotonic, and no record is skipped (its committed offsets reach the end of its topics).
 */
@Tag("integration")
@Timeout(600)
@ExtendWith(LocalStackExtension.class)
class TrainerKillTest {
  private static final String GROUP = "trainer-kill-test";
  private static final String MODEL = "kill-test";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldResumeFromItsCheckpointAfterItsProcessIsKilled(LocalStack stack, @TempDir Path dir)
      throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
      TopicProvisioner.ensureTopics(admin, 3, (short) 1);
    }
    publish(stack, dir, Path.of(FashionMnist.TRAIN_IMAGES), Path.of(FashionMnist.TRAIN_LABELS), 5);
    ServiceProcess first = startTrainer(stack, dir, "run-1");
    try {
      await().atMost(Duration.ofMinutes(4)).until(() -> {
        MetricsText m = scrape(first);
        return m.value("spindle_trainer_model_version") >= 1
            && m.value("spindle_trainer_backbone_version") >= 3;
      });
    } finally {
      first.kill(); // kill -9: no final checkpoint, no clean consumer close
    }
    CheckpointState checkpoint = new Checkpointer(dir.resolve("checkpoints")).restore()
        .orElseThrow().state();
    long modelsBefore = modelVersions(stack).size();

    ServiceProcess second = startTrainer(stack, dir, "run-2");
    try {
      MetricsText resumed = scrape(second);
      assertThat(resumed.value("spindle_trainer_backbone_version"))
          .as("backbone version right after the restart").isGreaterThanOrEqualTo(checkpoint.backboneVersion());
      await().atMost(Duration.ofMinutes(3)).until(() ->
          scrape(second).value("spindle_trainer_backbone_version") > checkpoint.backboneVersion());
      await().atMost(Duration.ofMinutes(2)).until(() -> committedReachedTheEnd(stack));

      // new labels after the kill: the next model takes the next version, none is reused
      publish(stack, dir, Path.of(FashionMnist.TEST_IMAGES), Path.of(FashionMnist.TEST_LABELS), 1);
      await().atMost(Duration.ofMinutes(4)).until(() -> modelVersions(stack).size() > modelsBefore);
    } finally {
      second.close();
    }
    List<Long> versions = modelVersions(stack);
    assertThat(versions).isSorted().doesNotHaveDuplicates();
    System.out.printf("trainer kill -9: checkpoint at backbone v%d, step %d; model versions %s%n",
        checkpoint.backboneVersion(), checkpoint.steps(), versions);
  }

  private ServiceProcess startTrainer(LocalStack stack, Path dir, String run) throws Exception {
    int port = ServiceProcess.freePort();
    Map<String, String> settings = new HashMap<>(Map.of(
        "kafka.bootstrap.servers", stack.bootstrapServers(),
        "schema.registry.url", stack.registryUrl(),
        "trainer.model.name", MODEL,
        "trainer.group.id", GROUP,
        "trainer.checkpoint.dir", dir.resolve("checkpoints").toString(),
        "trainer.model.store", dir.resolve("models").toString(),
        "trainer.http.host", "127.0.0.1",
        "trainer.http.port", Integer.toString(port)));
    settings.putAll(Map.of(
        "trainer.checkpoint.every.steps", "5",
        "trainer.eval.every.steps", "10",
        "trainer.holdout.percent", "15",
        "trainer.transfer.every.labels", "5",
        "trainer.transfer.min.steps", "10",
        "trainer.stage1.epochs", "5",
        "trainer.stage2.epochs", "3",
        "trainer.stage2.patience", "2"));
    ServiceProcess trainer = ServiceProcess.start("trainer", "dev.spindle.trainer.cli.TrainerCommand",
        List.of(), settings, Map.of(), port, dir.resolve("logs-" + run));
    trainer.awaitResponding(http, Duration.ofMinutes(2));
    return trainer;
  }

  private MetricsText scrape(ServiceProcess service) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create(service.base() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    return MetricsText.parse(response.body());
  }

  /** Fashion-MNIST images through ingest's pipeline, the first {@code perClass} of each class labeled. */
  private static void publish(LocalStack stack, Path dir, Path images, Path labels, int perClass)
      throws Exception {
    IngestConfig config = IngestConfig.from(Settings.of(Map.of(
        "kafka.bootstrap.servers", stack.bootstrapServers(),
        "schema.registry.url", stack.registryUrl(),
        "ingest.state.dir", dir.resolve("ingest-" + images.getFileName()).toString())));
    Topics topics = Topics.create(config.clients().serde());
    try (RecordSender sender = RecordSender.create(config.clients(), config.publishTimeout());
        IngestPipeline pipeline = IngestPipeline.create(config, topics, sender)) {
      new BulkLoader(pipeline, 1000, new PrintStream(OutputStream.nullOutputStream()))
          .load(IdxSource.items(images, labels, ClassNames.FASHION_MNIST, perClass, 0, 600));
    }
  }

  private static List<Long> modelVersions(LocalStack stack) {
    Topics topics = Topics.create(Map.of("schema.registry.url", stack.registryUrl()));
    List<Long> versions = new ArrayList<>();
    try (KafkaConsumer<String, ModelVersion> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        topics.models().keySerde().deserializer(), topics.models().valueSerde().deserializer())) {
      TopicScan.readToEnd(consumer, List.of(topics.models().name()), record -> {
        if (record.value() != null && MODEL.equals(record.value().getModelName())) {
          versions.add(record.value().getVersion());
        }
      });
    }
    return versions;
  }

  /** The trainer group's committed offsets equal the end of every partition it reads. */
  private static boolean committedReachedTheEnd(LocalStack stack) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
      if (committed.isEmpty()) {
        return false;
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get();
      return committed.entrySet().stream().allMatch(
          e -> e.getValue().offset() >= ends.get(e.getKey()).offset());
    }
  }
}
