package dev.spindle.serving.stream;

import dev.spindle.schemas.ImageIds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.artifact.ModelStore;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.DeadLetter;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.LabelRequest;
import dev.spindle.schemas.avro.Prediction;
import dev.spindle.serving.TwoClassModels;
import dev.spindle.serving.holder.GatePolicy;
import dev.spindle.serving.holder.GatingSet;
import dev.spindle.serving.holder.ModelHolder;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The prediction stream's rules, on TopologyTestDriver; the serdes talk to the real registry. */
@Tag("integration")
@Timeout(180)
@ExtendWith(LocalStackExtension.class)
class PredictionTopologyTest {
  @TempDir Path dir;
  private TwoClassModels models;
  private ModelHolder holder;
  private TopologyTestDriver driver;
  private TestInputTopic<String, Image> images;
  private TestInputTopic<String, byte[]> rawImages;
  private TestOutputTopic<String, Prediction> predictions;
  private TestOutputTopic<String, DeadLetter> deadLetters;
  private TestOutputTopic<String, LabelRequest> labelRequests;
  private final java.util.Set<String> labeled = new java.util.HashSet<>();
  private final List<float[]> traffic = new java.util.ArrayList<>();

  private Topics topics;

  @BeforeEach
  void buildDriver(LocalStack stack) throws Exception {
    topics = Topics.create(Map.of("schema.registry.url", stack.registryUrl()));
    models = new TwoClassModels(dir.resolve("models"));
    holder = new ModelHolder(ModelStore::load, () -> GatingSet.EMPTY, GatePolicy.withMargin(0.01), Clock.systemUTC());
    start(new LabelRequestPolicy(true, "entropy", 3, Duration.ofSeconds(60), false, 0));
  }

  private void start(LabelRequestPolicy policy) throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "predictions-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("predict").toString());
    driver = new TopologyTestDriver(PredictionTopology.buildTopology(topics, holder,
        new PredictionTopology.Batching(64, 5, 2),
        policy, labeled::contains,
        (imageId, pixels, scores, version) -> traffic.add(pixels)),
        props, Instant.EPOCH);
    images = driver.createInputTopic(topics.imagesUnlabeled().name(),
        Serdes.String().serializer(), topics.imagesUnlabeled().valueSerde().serializer());
    rawImages = driver.createInputTopic(topics.imagesUnlabeled().name(),
        Serdes.String().serializer(), Serdes.ByteArray().serializer());
    predictions = driver.createOutputTopic(topics.predictions().name(),
        Serdes.String().deserializer(), topics.predictions().valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters().name(),
        Serdes.String().deserializer(), topics.deadLetters().valueSerde().deserializer());
    labelRequests = driver.createOutputTopic(topics.labelRequests().name(),
        Serdes.String().deserializer(), topics.labelRequests().valueSerde().deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldInventNothingBeforeAModelThenPredictEveryWaitingImage() throws Exception {
    pipeImages(3);
    driver.advanceWallClockTime(Duration.ofMillis(10));
    assertThat(predictions.isEmpty()).isTrue();

    holder.offer(models.good(1));
    driver.advanceWallClockTime(Duration.ofMillis(10));
    List<Prediction> out = predictions.readValuesToList();
    assertThat(out).hasSize(3);
    assertThat(out).allSatisfy(p -> {
      assertThat(p.getModelVersion()).isEqualTo(1);
      assertThat(p.getTopK()).hasSize(2);
    });
    assertThat(out).extracting(p -> p.getLabel().toString()).containsExactly("dark", "light", "dark");
    assertThat(traffic).hasSize(3);
  }

  @Test
  void shouldPredictAFullBatchAtOnceAndTheRestAfterTheLinger() throws Exception {
    holder.offer(models.good(1));
    pipeImages(70);
    assertThat(predictions.readValuesToList()).hasSize(64);
    driver.advanceWallClockTime(Duration.ofMillis(10));
    assertThat(predictions.readValuesToList()).hasSize(6);
  }

  @Test
  void shouldWorkOffABacklogInBoundedSlicesSoNoTransactionRunsLong() throws Exception {
    pipeImages(300);
    holder.offer(models.good(1));
    driver.advanceWallClockTime(Duration.ofMillis(10));
    int first = predictions.readValuesToList().size();
    assertThat(first).isEqualTo(256); // four batches of 64 per punctuation
    driver.advanceWallClockTime(Duration.ofMillis(10));
    assertThat(first + predictions.readValuesToList().size()).isEqualTo(300);
  }

  @Test
  void shouldWaitForAFullerBatchUntilTheOldestImageHasLingered() throws Exception {
    holder.offer(models.good(1));
    pipeImages(10);

    driver.advanceWallClockTime(Duration.ofMillis(3));
    assertThat(predictions.readValuesToList()).as("younger than the 5 ms linger").isEmpty();
    driver.advanceWallClockTime(Duration.ofMillis(3));
    assertThat(predictions.readValuesToList()).hasSize(10);
  }

  @Test
  void shouldSendAPoisonRecordToDeadLettersAndGoOn() throws Exception {
    holder.offer(models.good(1));
    rawImages.pipeInput("poison", "not avro at all".getBytes());
    pipe(1);
    driver.advanceWallClockTime(Duration.ofMillis(10));

    DeadLetter letter = deadLetters.readValue();
    assertThat(letter.getSourceTopic()).isEqualTo("images.unlabeled");
    assertThat(letter.getStage()).isEqualTo("serving-service/predictions");
    assertThat(letter.getError()).isNotBlank();
    assertThat(predictions.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldRequestLabelsForTheLeastSureUnlabeledImagesOncePerWindow() throws Exception {
    holder.offer(models.good(1));
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(pipe(i));
    }
    labeled.add(ids.get(0));
    driver.advanceWallClockTime(Duration.ofSeconds(61));
    List<LabelRequest> first = labelRequests.readValuesToList();
    assertThat(first).hasSizeBetween(1, 3);
    assertThat(first).extracting(r -> r.getImageId().toString()).doesNotContain(ids.get(0));
    assertThat(first).isSortedAccordingTo(
        java.util.Comparator.comparingDouble(LabelRequest::getUncertainty).reversed());
    assertThat(first).allSatisfy(r -> assertThat(r.getMeasure().toString()).isEqualTo("entropy"));

    // the same images again: already requested, so never requested twice
    pipeImages(10);
    driver.advanceWallClockTime(Duration.ofSeconds(61));
    List<String> again = labelRequests.readValuesToList().stream()
        .map(r -> r.getImageId().toString()).toList();
    assertThat(again).doesNotContainAnyElementsOf(
        first.stream().map(r -> r.getImageId().toString()).toList());
  }

  @Test
  void shouldForgetRequestedImagesAfterAWeekSoItsStoreDoesNotGrowForever() throws Exception {
    holder.offer(models.good(1));
    pipeImages(10);
    driver.advanceWallClockTime(Duration.ofSeconds(61));
    int requested = labelRequests.readValuesToList().size();
    KeyValueStore<String, Long> store =
        driver.getKeyValueStore(PredictionTopology.REQUESTED_STORE);
    assertThat(count(store)).isEqualTo(requested).isPositive();

    driver.advanceWallClockTime(Duration.ofDays(6));
    assertThat(count(store)).as("within the week").isEqualTo(requested);
    driver.advanceWallClockTime(Duration.ofDays(1).plusHours(1));
    assertThat(count(store)).as("after it").isZero();
  }

  private static long count(KeyValueStore<String, Long> store) {
    try (var all = store.all()) {
      long n = 0;
      for (; all.hasNext(); all.next()) {
        n++;
      }
      return n;
    }
  }

  @Test
  void shouldRequestOneRepresentativeOfEachUncertainRegionWhenAsked() throws Exception {
    driver.close();
    start(new LabelRequestPolicy(true, "margin", 2, Duration.ofSeconds(60), true, 10));
    holder.offer(models.good(1));
    pipeImages(30);
    driver.advanceWallClockTime(Duration.ofSeconds(61));

    List<LabelRequest> requests = labelRequests.readValuesToList();
    assertThat(requests).hasSize(2);
    assertThat(requests).extracting(r -> r.getImageId().toString()).doesNotHaveDuplicates();
    assertThat(requests).allSatisfy(r ->
        assertThat(r.getReason().toString()).startsWith("representative of a region"));
    assertThat(requests).isSortedAccordingTo(
        java.util.Comparator.comparingDouble(LabelRequest::getUncertainty).reversed());
  }

  /** Images 0 .. n-1 onto images.unlabeled. */
  private void pipeImages(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      pipe(i);
    }
  }

  private String pipe(int i) throws Exception {
    byte[] png = TwoClassModels.png(i % 2, new Random(i));
    String id = ImageIds.of(png);
    images.pipeInput(id, Image.newBuilder().setId(id).setBytes(ByteBuffer.wrap(png))
        .setMediaType("image/png").setWidth(28).setHeight(28).setSource("test")
        .setIngestedAt(Instant.now()).build());
    return id;
  }
}
