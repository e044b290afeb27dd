package dev.spindle.bench;

import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.Topics;
import dev.spindle.stack.LocalStack;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
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

  static TopicAudit of(LocalStack stack, Topics topics, List<byte[]> bulk, List<byte[]> http) {
    Set<String> expected = new HashSet<>();
    Stream.concat(bulk.stream(), http.stream()).map(ImageIds::of).forEach(expected::add);
    Set<String> present = new HashSet<>();
    long records = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      String topic = topics.imagesUnlabeled().name();
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          records++;
          present.add(record.key());
        }
      }
    }
    long lost = expected.stream().filter(id -> !present.contains(id)).count();
    return new TopicAudit(expected.size(), lost, records - present.size());
  }
}
