package dev.spindle.bench;

import dev.spindle.schemas.TopicScan;
import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.Topics;
import dev.spindle.stack.LocalStack;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * After a run: is every distinct input image on {@code images.unlabeled}, and exactly once?
 *
 * @param expected distinct images sent
 * @param lost expected images missing from the topic
 * @param duplicates records beyond one per image id
 */
record TopicAudit(long expected, long lost, long duplicates) {

  static TopicAudit of(LocalStack stack, Topics topics, List<List<byte[]>> sent) {
    Set<String> expected = new HashSet<>();
    sent.forEach(images -> images.stream().map(ImageIds::of).forEach(expected::add));
    Set<String> present = new HashSet<>();
    long[] records = {0};
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicScan.readToEnd(consumer, List.of(topics.imagesUnlabeled().name()), record -> {
        records[0]++;
        present.add(record.key());
      });
    }
    long lost = expected.stream().filter(id -> !present.contains(id)).count();
    return new TopicAudit(expected.size(), lost, records[0] - present.size());
  }
}
