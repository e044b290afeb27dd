package dev.spindle.ingest.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestFixture;
import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.TestImages;
import dev.spindle.ingest.TopicReader;
import dev.spindle.ingest.publish.ImageUpload;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.TopicProvisioner;
import dev.spindle.schemas.Topics;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@Timeout(120)
@ExtendWith(LocalStackExtension.class)
class BulkLoaderIntegrationTest {
  private static LoadItem item(String name, byte[] bytes) {
    return new LoadItem(name, () -> new ImageUpload(bytes, Optional.empty(), Optional.empty(),
        Optional.of("test"), Optional.empty()));
  }

  @Test
  void shouldPublishEachGoodImageOnceAndCountEveryOutcomeAcrossItsWorkers(LocalStack stack)
      throws Exception {
    IngestConfig config = IngestFixture.config(stack, Map.of("ingest.join.enabled", "false"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
      TopicProvisioner.ensureTopics(admin, 3, (short) 1);
    }
    Topics topics = IngestFixture.topics(stack);
    List<LoadItem> items = new ArrayList<>();
    IntStream.range(5000, 5200).forEach(i -> items.add(item("good#" + i, TestImages.png(i))));
    items.add(item("again", TestImages.png(5000)));
    byte[] png = TestImages.png(5300);
    items.add(item("truncated", Arrays.copyOf(png, png.length / 2)));
    items.add(item("text", "not an image".getBytes(StandardCharsets.UTF_8)));

    LoadSummary summary;
    try (RecordSender sender = RecordSender.create(config.clients(), config.publishTimeout());
        IngestPipeline pipeline = IngestPipeline.create(config, topics, sender)) {
      summary = new BulkLoader(pipeline, 50, 4, new PrintStream(OutputStream.nullOutputStream()))
          .load(items);
    }

    assertThat(summary.accepted()).isEqualTo(200);
    assertThat(summary.duplicates()).isEqualTo(1);
    assertThat(summary.rejected()).isEqualTo(2);
    assertThat(summary.failed()).isZero();
    Set<String> good = IntStream.range(5000, 5200)
        .mapToObj(i -> ImageIds.of(TestImages.png(i))).collect(Collectors.toSet());
    List<String> stored = TopicReader.readAll(stack, topics.imagesUnlabeled()).stream()
        .map(ConsumerRecord::key).filter(good::contains).toList();
    assertThat(stored).hasSize(200).doesNotHaveDuplicates();
  }
}
