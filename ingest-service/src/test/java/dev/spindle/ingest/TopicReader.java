package dev.spindle.ingest;

import dev.spindle.schemas.TopicScan;
import dev.spindle.schemas.Topic;
import dev.spindle.stack.LocalStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads a whole topic, beginning to current end, as committed records. */
public final class TopicReader {
  private TopicReader() {
  }

  public static <V> List<ConsumerRecord<String, V>> readAll(LocalStack stack, Topic<String, V> topic) {
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      List<ConsumerRecord<String, V>> records = new ArrayList<>();
      TopicScan.readToEnd(consumer, List.of(topic.name()), records::add);
      return records;
    }
  }

  /** The sum of the end offsets of {@code topicName}'s partitions. */
  public static long endOffsetSum(LocalStack stack, String topicName) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topicName).stream()
          .map(p -> new TopicPartition(topicName, p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
