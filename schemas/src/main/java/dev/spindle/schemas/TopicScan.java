package dev.spindle.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reading topics from the beginning up to the end offsets as they are when the scan starts
 * (records written later are not waited for). Used to rebuild indexes and state, and to audit.
 */
public final class TopicScan {
  private static final Duration POLL = Duration.ofMillis(200);

  private TopicScan() {}

  /** Assigns every partition of {@code topics} to {@code consumer}, at the beginning. */
  public static List<TopicPartition> assignFromBeginning(
      org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, List<String> topics) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return partitions;
  }

  /** Hands {@code handler} every record of {@code topics}, from the beginning to today's end. */
  public static <K, V> void readToEnd(org.apache.kafka.clients.consumer.Consumer<K, V> consumer,
      List<String> topics, Consumer<ConsumerRecord<K, V>> handler) {
    List<TopicPartition> partitions = assignFromBeginning(consumer, topics);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
    while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
      consumer.poll(POLL).forEach(handler);
    }
  }
}
