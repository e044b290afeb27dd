package dev.spindle.ingest.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ingest.IngestFixture;
import dev.spindle.ingest.TestImages;
import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.DeadLetter;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.Label;
import dev.spindle.schemas.avro.LabeledImage;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The join's rules, on TopologyTestDriver; the serdes talk to the real registry. */
@Tag("integration")
@Timeout(120)
@ExtendWith(LocalStackExtension.class)
class LabelJoinTopologyTest {
  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
  private TopologyTestDriver driver;
  private TestInputTopic<String, Image> images;
  private TestInputTopic<String, LabeledImage> labeledIn;
  private TestInputTopic<String, Label> labels;
  private TestInputTopic<String, byte[]> rawLabels;
  private TestOutputTopic<String, LabeledImage> labeledOut;
  private TestOutputTopic<String, DeadLetter> deadLetters;

  @BeforeEach
  void buildDriver(LocalStack stack) throws Exception {
    Topics topics = IngestFixture.topics(stack);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "label-join-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("join").toString());
    driver = new TopologyTestDriver(LabelJoinTopology.buildTopology(topics), props);
    images = driver.createInputTopic(topics.imagesUnlabeled().name(),
        Serdes.String().serializer(), topics.imagesUnlabeled().valueSerde().serializer());
    labeledIn = driver.createInputTopic(topics.imagesLabeled().name(),
        Serdes.String().serializer(), topics.imagesLabeled().valueSerde().serializer());
    labels = driver.createInputTopic(topics.labels().name(),
        Serdes.String().serializer(), topics.labels().valueSerde().serializer());
    rawLabels = driver.createInputTopic(topics.labels().name(),
        Serdes.String().serializer(), Serdes.ByteArray().serializer());
    labeledOut = driver.createOutputTopic(topics.imagesLabeled().name(),
        Serdes.String().deserializer(), topics.imagesLabeled().valueSerde().deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters().name(),
        Serdes.String().deserializer(), topics.deadLetters().valueSerde().deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldEmitOnceWhenTheLabelArrivesAfterTheImage() {
    Image image = image(1);
    images.pipeInput(image.getId(), image);

    labels.pipeInput(image.getId(), label(image, "Bag", 1));

    List<LabeledImage> out = labeledOut.readValuesToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getLabel()).isEqualTo("Bag");
    assertThat(out.get(0).getImage()).isEqualTo(image);
  }

  @Test
  void shouldEmitOnceWhenTheLabelArrivesBeforeTheImage() {
    Image image = image(2);
    labels.pipeInput(image.getId(), label(image, "Coat", 1));
    assertThat(labeledOut.isEmpty()).isTrue();

    images.pipeInput(image.getId(), image);

    assertThat(labeledOut.readValuesToList()).extracting(LabeledImage::getLabel)
        .containsExactly("Coat");
  }

  @Test
  void shouldEmitANewRecordOnARelabelAndNothingForARepeatedOrOlderLabel() {
    Image image = image(3);
    images.pipeInput(image.getId(), image);
    labels.pipeInput(image.getId(), label(image, "Shirt", 1));

    labels.pipeInput(image.getId(), label(image, "Shirt", 2));
    labels.pipeInput(image.getId(), label(image, "Pullover", 3));
    labels.pipeInput(image.getId(), label(image, "Dress", 0));

    assertThat(labeledOut.readValuesToList()).extracting(LabeledImage::getLabel)
        .containsExactly("Shirt", "Pullover");
  }

  @Test
  void shouldRelabelAnImageThatWasUploadedWithALabel() {
    Image image = image(4);
    labeledIn.pipeInput(image.getId(), LabeledImage.newBuilder().setImage(image)
        .setLabel("Sandal").setLabeledAt(T0).build());

    labels.pipeInput(image.getId(), label(image, "Sandal", 1));
    labels.pipeInput(image.getId(), label(image, "Sneaker", 2));

    assertThat(labeledOut.readValuesToList()).extracting(LabeledImage::getLabel)
        .containsExactly("Sneaker");
  }

  @Test
  void shouldDeadLetterAnUndecodableLabelAndKeepGoing() {
    Image image = image(5);
    rawLabels.pipeInput(image.getId(), new byte[] {42, 1, 2, 3, 4, 5});
    images.pipeInput(image.getId(), image);
    labels.pipeInput(image.getId(), label(image, "Trouser", 1));

    List<DeadLetter> letters = deadLetters.readValuesToList();
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).getSourceTopic()).isEqualTo("labels");
    assertThat(letters.get(0).getError()).contains("magic byte");
    assertThat(labeledOut.readValuesToList()).extracting(LabeledImage::getLabel)
        .containsExactly("Trouser");
  }

  private static Image image(int index) {
    byte[] png = TestImages.png(index);
    return Image.newBuilder().setId(ImageIds.of(png)).setBytes(ByteBuffer.wrap(png))
        .setMediaType("image/png").setWidth(28).setHeight(28).setIngestedAt(T0).build();
  }

  private static Label label(Image image, String name, int minutesLater) {
    return Label.newBuilder().setImageId(image.getId()).setLabel(name).setAnnotator("ann")
        .setLabeledAt(T0.plusSeconds(60L * minutesLater)).build();
  }
}
