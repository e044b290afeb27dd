package dev.spindle.ingest.publish;

import dev.spindle.schemas.config.ClientSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ids of every image already in Kafka, for deduplication. On start it is rebuilt from the
 * keys of the image topics (read to their end, values skipped), so a restarted ingest still
 * recognises earlier uploads; after that, each acknowledged image is added.
 */
public final class SeenImages {
  private static final Logger log = LoggerFactory.getLogger(SeenImages.class);
  private final Set<String> ids = ConcurrentHashMap.newKeySet();

  public boolean contains(String id) {
    return ids.contains(id);
  }

  public void add(String id) {
    ids.add(id);
  }

  public int size() {
    return ids.size();
  }

  /** Reads the keys of {@code topics} from the beginning to their current end. */
  public static SeenImages loadFrom(ClientSettings clients, List<String> topics) {
    SeenImages seen = new SeenImages();
    long started = System.nanoTime();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(clients.kafkaWith(Map.of(
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024)),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = topics.stream()
          .flatMap(t -> consumer.partitionsFor(t, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(t, p.partition())))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.key() != null) {
            seen.add(record.key());
          }
        }
      }
    }
    log.info("dedup index: {} image ids from {} in {} ms", seen.size(), topics,
        (System.nanoTime() - started) / 1_000_000);
    return seen;
  }
}
